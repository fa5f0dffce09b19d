"""统计分析 (issue 16): statistics defined as data (tables.yaml), summary tables, API."""
