"""Managers write work plans in the product: create a plan, copy one to the next period,
edit targets, responsible units, operators and month weights in a grid, publish and
close it, and exchange it as an XLSX 目标任务分解表."""
