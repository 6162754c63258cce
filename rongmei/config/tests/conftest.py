"""Prints how many operations and cases schemathesis ran (test_api_contract.py)."""

from .test_api_contract import CASES_PROPERTY


def pytest_terminal_summary(terminalreporter):
    operations = cases = 0
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", None) != "call":
                continue
            counted = [value for name, value in report.user_properties if name == CASES_PROPERTY]
            if counted:
                operations += 1
                cases += sum(counted)
    if operations:
        terminalreporter.write_line(
            f"schemathesis: {operations} operations, {cases} generated cases")
