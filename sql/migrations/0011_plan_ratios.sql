-- 0011_plan_ratios.sql: the sampling table per risk class, editable per plan
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- risk_class_ratio (0003) is the city's default table (DOMAIN.md), kept by the admin.  A
-- plan may set its own range and default for a class (e.g. a year with a campaign on
-- high-risk retailers): its tasks are then checked against the plan's row instead.  The
-- plan's rows change only while the plan may be edited, and they are part of what the
-- admin approves.

create table plan_ratio (
  plan_id     bigint not null references plan (id),
  risk_class  char(1) not null references risk_class_ratio (risk_class),
  min_bp      integer not null check (min_bp between 0 and 10000),
  max_bp      integer not null check (max_bp between 0 and 10000),
  default_bp  integer not null check (default_bp between 0 and 10000),
  primary key (plan_id, risk_class),
  check (min_bp <= default_bp and default_bp <= max_bp)
);
