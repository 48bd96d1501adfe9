"""Demo hubs and logins: plain data, importable before Django is set up (make run prints them)."""

DEMO_PASSWORD = "demo-2026"
PLATFORM_STAFF = {"email": "platform@hubs.localhost", "password": DEMO_PASSWORD}
DEMO_HUBS = [
    {
        "schema_name": "jiangan",
        "name": "江岸区社会组织孵化基地",
        "subdomain": "jiangan",
        "admin_email": "admin@jiangan.demo",
        "member_email": "member@jiangan.demo",
        "other_logins": "experts expert1-3@jiangan.demo at /review/, supervisor@jiangan.demo at /supervision/, "
        "evaluator@jiangan.demo at /evaluation/",
    },
    {
        "schema_name": "guandu",
        "name": "官渡区社会组织孵化基地",
        "subdomain": "guandu",
        "admin_email": "admin@guandu.demo",
        "member_email": "member@guandu.demo",
    },
]
