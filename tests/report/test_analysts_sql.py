"""Every SQL example of docs/analysts.md runs on a real warehouse and answers something."""

import re

import pytest

from tests.report.conftest import REPO

DOC = REPO / "docs" / "analysts.md"
SQL_BLOCKS = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_doc_has_the_journey_query_and_ten_questions():
    text = DOC.read_text(encoding="utf-8")
    assert len(SQL_BLOCKS) >= 11
    assert "customer_key = " in text
    assert len(re.findall(r"^### \d+\. ", text, flags=re.MULTILINE)) == 10


@pytest.mark.parametrize("sql", SQL_BLOCKS, ids=[f"block{i + 1}" for i in range(len(SQL_BLOCKS))])
def test_sql_block_runs_and_returns_rows(con, sql):
    rows = con.execute(sql).fetchall()
    assert rows, f"no rows from:\n{sql}"
