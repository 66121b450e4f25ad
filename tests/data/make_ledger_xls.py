"""Regenerate ledger_legacy.xls, the legacy-format (.xls, BIFF8) fixture of tests/test_ledger_reader.py.

xlwt is not a dependency of hazardloop (nothing in the library writes .xls); install it only
to run this script:  pip install --target /tmp/xlwt_pkg xlwt && PYTHONPATH=/tmp/xlwt_pkg python make_ledger_xls.py
"""

import datetime as dt
from pathlib import Path

import xlwt

book = xlwt.Workbook(encoding="utf-8")
ws = book.add_sheet("隐患台账")
date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
ws.write_merge(0, 0, 0, 7, "2021年4月 事故隐患排查治理台账")
ws.write(1, 0, "填报单位：城关镇安监站")
ws.write(1, 5, "填报日期：2021年4月30日")
# a two-row header: 整改情况 spans 整改措施 / 责任人 / 完成时限
for c, h in enumerate(["序号", "被检查单位", "隐患描述", "排查日期"]):
    ws.write_merge(2, 3, c, c, h)
ws.write_merge(2, 2, 4, 6, "整改情况")
for c, h in enumerate(["整改措施", "责任人", "完成时限"], 4):
    ws.write(3, c, h)
ws.write_merge(2, 3, 7, 7, "隐患等级")
rows = [
    (1, "甲化工有限公司", "储罐区静电接地断开", dt.date(2021, 4, 2), "恢复接地", "张三", 30, "一般隐患"),
    (2, "乙烟花厂", "药物总库超量储存", dt.date(2021, 4, 8), "清理超量药物", "李四", dt.date(2021, 4, 20), "重大事故隐患"),
    (3, "甲化工有限公司", "消防通道堵塞", "2021.4.15", "清理通道", "王五", "2021年4月25日", "一般"),
]
for r, row in enumerate(rows, 4):
    for c, v in enumerate(row):
        if isinstance(v, dt.date):
            ws.write(r, c, v, date)
        else:
            ws.write(r, c, v)
ws.write(7, 0, "合计")
ws.write(7, 2, "3项")
ws.write(8, 0, "填表人：赵六          审核人：钱七")
book.save(str(Path(__file__).with_name("ledger_legacy.xls")))
