"""Benchmark: every integrity check of issue 10 §5 over N training records and M claims on
PostgreSQL, beside a naive PostgreSQL self-join formulation in the same run (issue 10,
"Measured": 10,000,000 training records and 1,000,000 claims, all checks ≤ 30 s and ≥ 10×
faster than naive).

    .venv/bin/python bench/bench_integrity_checks.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres \\
        [--training 1000000] [--claims 100000] [--runs 3] [--keep]
    .venv/bin/python bench/bench_integrity_checks.py --database-url URL_IT_PRINTED --reuse

Setup (not timed): migrate, then rows written with SQL (generate_series, `setseed` for a fixed
draw) with foreign-key triggers off for the load (a database of the benchmark's own):
`--claims` people (their bank accounts really encrypted, with the blind index the foreign-account
check joins on), 500 training institutions, `--training` training records
(one institution in a hundred records takes 1 % extra, a volume outlier), half as many
certificates as people, 1 % of people on each of the four registers, and `--claims` claims
(60 % skill-upgrade subsidies on a certificate, 40 % training subsidies on a training record;
0.2 % of people share an account in fours, 0.2 % a phone). ANALYZE after the load.

Timed, per run: `integrity_check(actor=None)` — all checks (duplicate, exclusive, foreign account
and the region-wide checks of services/checks.py) and storing every new flag with its audit
entries — after the flags of the previous run are removed, so every run finds and stores
everything; also each check alone (the three per-claim checks of services/integrity.py and the
region-wide ones of services/checks.py); the rest of integrity_check is storing the flags and
their audit entries. Baseline, same run: the same findings written as
self-joins (a claim joined to every other claim of the person for the repeat, per-year and
shared-contact checks, every training record joined to every other of its institution-year for
the volume check), the formulation without window functions; each statement limited by
`--naive-timeout` seconds (a statement that hits it counts at the limit: the speed-up is then
a lower bound, shown with "≥" in the notes).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))

INSTITUTIONS = 500

NAIVE: dict[str, str] = {
    "repeat_and_duplicate": """
        SELECT count(DISTINCT a.id) FROM claims_claim a JOIN claims_claim b
          ON b.subject_key = a.subject_key AND b.item_id = a.item_id
         AND b.trigger_code = a.trigger_code AND b.trigger_level = a.trigger_level
         AND b.id <> a.id
         AND (b.trigger_date < a.trigger_date OR (b.trigger_date = a.trigger_date AND b.id < a.id))
        WHERE a.trigger_code <> ''""",
    "per_year": """
        SELECT count(*) FROM (
          SELECT a.id FROM claims_claim a JOIN claims_claim b
            ON b.subject_key = a.subject_key AND b.item_id = a.item_id
           AND date_trunc('year', b.trigger_date) = date_trunc('year', a.trigger_date)
           AND (b.trigger_date, b.id) <= (a.trigger_date, a.id)
          WHERE a.item_id = 'nb.skill_upgrade' GROUP BY a.id HAVING count(*) > 3) t""",
    "lower_after_higher": """
        SELECT count(DISTINCT c.id) FROM claims_claim c JOIN dossier_fact f
          ON f.person_id = c.person_id AND f.kind = 'certificate' AND f.code = c.trigger_code
         AND f.level < c.trigger_level AND f.level <> '' AND f.date <= c.trigger_date
        WHERE c.item_id = 'nb.skill_upgrade'""",
    "ghosts": """
        SELECT count(DISTINCT c.id) FROM claims_claim c
          JOIN identity_person p ON p.id = c.person_id
          JOIN claims_registerentry r ON r.id_number_index = p.id_number_index
           AND (r.starts_on IS NULL OR r.starts_on <= c.trigger_date)
           AND (r.ends_on IS NULL OR r.ends_on >= c.trigger_date OR r.kind IN ('deceased', 'retired'))
        WHERE c.trigger_kind = 'training'""",
    "shared_account": """
        SELECT count(*) FROM (
          SELECT a.id FROM claims_claim a JOIN claims_claim b
            ON b.payee_account_index = a.payee_account_index AND b.subject_key <> a.subject_key
          WHERE a.payee_account_index <> '' GROUP BY a.id
          HAVING count(DISTINCT b.subject_key) >= 3) t""",
    "shared_phone": """
        SELECT count(*) FROM (
          SELECT a.id FROM claims_claim a JOIN identity_person pa ON pa.id = a.person_id
            JOIN identity_person pb ON pb.phone_index = pa.phone_index AND pb.id <> pa.id
            JOIN claims_claim b ON b.person_id = pb.id
          WHERE pa.phone_index <> '' GROUP BY a.id HAVING count(DISTINCT pb.id) >= 3) t""",
    "volume": """
        SELECT count(*) FROM (
          SELECT f.issuer_id, date_trunc('year', f.date), count(*) FROM dossier_fact f
            JOIN dossier_fact g ON g.issuer_id = f.issuer_id AND g.kind = 'training'
             AND date_trunc('year', g.date) = date_trunc('year', f.date)
          WHERE f.kind = 'training' GROUP BY 1, 2) t""",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, keep=True)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--training", type=int, default=1_000_000, help="training records")
    parser.add_argument("--claims", type=int, default=100_000, help="claims (and people)")
    parser.add_argument("--naive-timeout", type=int, default=300, help="seconds per statement")
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def _people(cursor: Any, count: int) -> None:
    """People with real encrypted bank accounts (0.2 % share one in fours), by COPY."""
    from jineng.identity.crypto import blind_index, encrypt

    buf = io.StringIO()
    for i in range(1, count + 1):
        owner = i - (i % 4) if i % 500 < 8 else i  # fours sharing an account
        account = f"62220{owner:014d}"
        buf.write(f"{i}\t{encrypt(account)}\t{blind_index(account)}\n")
    buf.seek(0)
    cursor.execute("CREATE TEMP TABLE bench_accounts (id bigint, token text, idx varchar(32))")
    with cursor.copy("COPY bench_accounts FROM STDIN") as copy:
        copy.write(buf.getvalue())
    cursor.execute(
        """
        INSERT INTO identity_person (id, name, id_type, id_number, id_number_index, birth_date,
            sex, phone, phone_index, bank_account, bank_account_index, education, insured,
            created_at, updated_at)
        SELECT a.id, '基准' || a.id, 'resident', 'x', substr(md5('id' || a.id), 1, 32),
            DATE '1960-01-01' + (floor(random() * 16000))::int,
            CASE WHEN a.id % 2 = 1 THEN 'M' ELSE 'F' END, 'x',
            substr(md5('ph' || CASE WHEN a.id % 500 BETWEEN 100 AND 107
                                    THEN a.id - a.id % 4 ELSE a.id END), 1, 32),
            a.token, a.idx, '', true, now(), now()
        FROM bench_accounts a"""
    )


LEDGER_TABLES = (
    "learning_course",
    "learning_chapter",
    "learning_lesson",
    "learning_trainingclass",
    "learning_classsession",
    "learning_enrolment",
    "learning_trainingrecord",
    "learning_attendance",
    "organisations_teacher",
    "learning_classteacher",
    "learning_learningstream",
    "learning_creditedsegment",
)


def _ledger(cursor: Any, m: int) -> None:
    """The learning ledger for services/checks_ledger.py: a class of 20 per 20 training claims
    (classes 2j and 2j+1 share their 3 sessions' times; 1 % of trainees also enrol in the twin
    class: overlapping), a check-in per trainee and session (1 % of classes from one device),
    3 teachers per institution (one part-time teacher shared by 5 institutions, assigned to 2 %
    of classes; 2 % of institutions below 1/3 full-time), the class training record behind each
    training claim, and 20 credited 30-second segments for a tenth of the people (1 % of them
    with a second lesson over the same minutes)."""
    r = m * 4 // 10
    k = max(2, r // 20)
    sql = [
        """INSERT INTO learning_course (id, title, description, occupation_id, level,
            planned_hours, provider_id, mode, funding, cover, status, created_at, updated_at)
           VALUES (1, '基准课程', '', '6-18-01-01', '5', 8, 1, 'blended', 'subsidised', '',
            'published', now(), now())""",
        "INSERT INTO learning_chapter (id, course_id, title, \"order\") VALUES (1, 1, '一', 1)",
        """INSERT INTO learning_lesson (id, chapter_id, title, kind, media, duration_seconds,
            \"order\") VALUES (1, 1, '一', 'video', '', 1800, 1), (2, 1, '二', 'video', '', 1800, 2)""",
        f"""INSERT INTO learning_trainingclass (id, name, course_id, provider_id, occupation_id,
            level, subsidised, capacity, enrolled, attendance_threshold, status, created_at)
           SELECT c, '基准班' || c, 1, 1 + c % {INSTITUTIONS}, '6-18-01-01', '5', true, 50, 0,
            80, 'completed', now() FROM generate_series(1, {k}) c""",
        f"""INSERT INTO learning_classsession (klass_id, starts_at, ends_at, venue)
           SELECT c, t, t + interval '3 hours', '基准实训室' FROM (
             SELECT c, TIMESTAMPTZ '2016-01-04 01:00+00' + ((c / 2) * 7 % 3000 + d) * interval '1 day' t
             FROM generate_series(1, {k}) c, generate_series(0, 2) d) s""",
        f"""INSERT INTO learning_enrolment (id, klass_id, person_id, source, full_time_student,
            status, enrolled_at, result)
           SELECT i, 1 + i % {k}, 1 + i % {m}, 'roster_import', false, 'completed', now(), 'passed'
           FROM generate_series(1, {r}) i
           UNION ALL
           SELECT {r} + i, (1 + i % {k}) # 1, 1 + i % {m}, 'roster_import', false, 'completed',
            now(), 'passed'
           FROM generate_series(100, {r}, 100) i WHERE (1 + i % {k}) # 1 BETWEEN 1 AND {k}""",
        f"""INSERT INTO learning_trainingrecord (person_id, occupation_id, level, hours,
            institution_id, completed_on, result, subsidised, source, source_ref, class_ref,
            fact_id, issued_at)
           SELECT 1 + i % {m}, '6-18-01-01', '5', 8, 1 + (1 + i % {k}) % {INSTITUTIONS},
            DATE '2016-02-01', 'passed', true, 'class', '基准班' || (1 + i % {k}),
            '基准班' || (1 + i % {k}), i, now()
           FROM generate_series(1, {r}) i""",
        """INSERT INTO learning_attendance (session_id, enrolment_id, kind, method, at,
            user_agent, ip, reason)
           SELECT s.id, e.id, 'in', 'qr_face', s.starts_at + (e.id % 30) * interval '1 minute',
            'bench', CASE WHEN e.klass_id % 100 = 0 THEN ('10.255.' || (e.klass_id / 100 % 250)
            || '.1')::inet ELSE ('10.' || (e.id % 250) || '.' || (e.id / 250 % 250) || '.'
            || (e.id / 62500 % 250 + 1))::inet END, ''
           FROM learning_enrolment e JOIN learning_classsession s ON s.klass_id = e.klass_id""",
        f"""INSERT INTO organisations_teacher (person_id, organisation_id, kind, subject)
           SELECT CASE t WHEN 0 THEN o WHEN 1 THEN {m} - o ELSE {m} - 2 * {INSTITUTIONS} - o % 100 END,
            o, CASE t WHEN 0 THEN 'full' ELSE 'part' END, '车工'
           FROM generate_series(1, {INSTITUTIONS}) o, generate_series(0, 2) t
           UNION ALL
           SELECT {m} - 4 * {INSTITUTIONS} - o * 2 - x, o, 'part', '车工'
           FROM generate_series(50, {INSTITUTIONS}, 50) o, generate_series(0, 1) x""",
        f"""INSERT INTO learning_classteacher (klass_id, teacher_id, assigned_at)
           SELECT c.id, t.id, now() FROM learning_trainingclass c
           JOIN organisations_teacher t ON t.organisation_id = c.provider_id
            AND t.person_id = {m} - 2 * {INSTITUTIONS} - c.provider_id % 100
           WHERE c.id % 50 = 0""",
        f"""INSERT INTO learning_learningstream (id, person_id, lesson_id, device, state,
            opened_at, last_visible, credit_since_check_ms)
           SELECT p, p, 1, 'bench', 'closed', now(), false, 0 FROM generate_series(1, {m // 10}) p
           UNION ALL
           SELECT {m} + p, p, 2, 'bench', 'closed', now(), false, 0
           FROM generate_series(100, {m // 10}, 100) p""",
        """INSERT INTO learning_creditedsegment (person_id, lesson_id, stream_id, start_ms,
            end_ms, at, day)
           SELECT st.person_id, st.lesson_id, st.id, j * 30000, (j + 1) * 30000,
            TIMESTAMPTZ '2020-01-01 12:00+00' + (st.person_id % 1000) * interval '1 day'
             + (j + 1) * interval '30 seconds', DATE '2020-01-01' + (st.person_id % 1000)::int
           FROM learning_learningstream st, generate_series(0, 19) j""",
    ]
    for statement in sql:
        cursor.execute(statement)


def load(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    n, m = args.training, args.claims
    with connection.cursor() as raw:
        cursor = raw.cursor  # psycopg's own cursor (COPY)
        cursor.execute("SET session_replication_role = replica")  # FK triggers off for the load
        cursor.execute("SELECT setseed(0.42)")
        _people(cursor, m)
        cursor.execute(
            f"""
            INSERT INTO organisations_organisation (id, kind, name, uscc, uscc_status,
                uscc_review_reason, ownership, designated_training, self_evaluation_filed,
                created_at, region_id)
            SELECT g, 'training_institution', '基准培训机构' || g, '', 'unchecked', '', 'private',
                true, false, now(), '330502' FROM generate_series(1, {INSTITUTIONS}) g"""
        )
        cursor.execute(
            f"""
            INSERT INTO dossier_fact (id, subject_type, person_id, kind, code, level, date,
                region, issuer_id, issuer_name, attrs, source, source_ref, correction_reason,
                recorded_at)
            SELECT g, 'person', 1 + g % {m}, 'training', 'occ' || (g % 200), '5',
                DATE '2016-01-01' + (floor(random() * 3000))::int, '330502',
                CASE WHEN random() < 0.01 THEN 1 ELSE 1 + floor(random() * {INSTITUTIONS})::int END,
                '', '{{"passed": true}}', 'bench', '', '', now()
            FROM generate_series(1, {n}) g"""
        )
        cursor.execute(
            f"""
            INSERT INTO dossier_fact (id, subject_type, person_id, kind, code, level, date,
                region, attrs, source, source_ref, correction_reason, issuer_name, recorded_at)
            SELECT {n} + g, 'person', 1 + floor(random() * {m})::int, 'certificate',
                'occ' || floor(random() * 200)::int, (1 + floor(random() * 5)::int)::text,
                DATE '2016-01-01' + (floor(random() * 3000))::int, '330502', '{{}}', 'bench', '',
                '', '', now()
            FROM generate_series(1, {m // 2}) g"""
        )
        cursor.execute(
            """
            INSERT INTO claims_registerlist (id, kind, title, region, file_name, rows, created_at)
            VALUES (1, 'retired', '退休', '330500', '', 0, now()),
                   (2, 'deceased', '死亡', '330500', '', 0, now()),
                   (3, 'student', '学生', '330500', '', 0, now()),
                   (4, 'public_staff', '在编', '330500', '', 0, now())"""
        )
        cursor.execute(
            f"""
            INSERT INTO claims_registerentry (register_id, kind, id_number_index, starts_on, ends_on)
            SELECT r.id, r.kind, substr(md5('id' || p), 1, 32),
                DATE '2016-01-01' + (floor(random() * 3000))::int,
                CASE WHEN r.kind = 'student' THEN DATE '2026-06-30' ELSE NULL END
            FROM claims_registerlist r, generate_series(r.id, {m}, 100) p"""
        )
        # Claims: i ≤ 40 % of M train on record i (its person); the rest are certificates.
        cursor.execute(
            f"""
            INSERT INTO claims_claim (person_id, subject_key, item_id, item_title, fact_id,
                instalment, kind, revision, source, region, trigger_kind, trigger_code,
                trigger_level, trigger_date, amount_fen, min_fen, max_fen, discretionary,
                due_on, schedule, citation, explanation, evaluated_on, payee_account,
                payee_account_index, status, status_reason, decided_reason, created_at, updated_at)
            SELECT c.person, 'P' || c.person, c.item, '基准事项', c.fact, 1, 'original', 0,
                'automatic', '330502', c.tkind, c.code, c.level, c.day, 150000, 150000, 150000,
                false, c.day, '[]', '{{}}', '{{}}', c.day, '', a.idx, 'accepted', '', '', now(), now()
            FROM (
              SELECT i,
                CASE WHEN i <= {m * 4 // 10} THEN 1 + i % {m}
                     ELSE 1 + floor(random() * {m})::int END AS person,
                CASE WHEN i <= {m * 4 // 10} THEN 'xx.training.subsidy'
                     ELSE 'nb.skill_upgrade' END AS item,
                CASE WHEN i <= {m * 4 // 10} THEN i::text ELSE 'c' || i END AS fact,
                CASE WHEN i <= {m * 4 // 10} THEN 'training' ELSE 'certificate' END AS tkind,
                CASE WHEN i <= {m * 4 // 10} THEN 'occ' || (i % 200)
                     ELSE 'occ' || floor(random() * 200)::int END AS code,
                CASE WHEN i <= {m * 4 // 10} THEN '5'
                     ELSE (3 + floor(random() * 3)::int)::text END AS level,
                DATE '2016-01-01' + (floor(random() * 3000))::int AS day
              FROM generate_series(1, {m}) i) c
            JOIN bench_accounts a ON a.id = c.person"""
        )
        # training claims take their record's date
        cursor.execute(
            """UPDATE claims_claim c SET trigger_date = f.date FROM dossier_fact f
               WHERE c.trigger_kind = 'training' AND f.id = c.fact_id::bigint"""
        )
        _ledger(cursor, m)
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (
            "identity_person",
            "dossier_fact",
            "claims_claim",
            "organisations_organisation",
            *LEDGER_TABLES,
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    print(
        f"loaded {n:,} training records, {m:,} claims in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


CHECKS = [
    "repeat_level",
    "per_year",
    "lower_after_higher",
    "ghosts",
    "shared_contacts",
    "volume_outliers",
]
LEDGER_CHECKS = [  # services/checks_ledger.py
    "overlapping_classes",
    "faster_than_real",
    "teacher_rules",
    "shared_checkins",
    "outside_licence",
]

CLAIM_CHECKS = ["_duplicates", "_exclusive", "_foreign_accounts"]

FIGURES = [
    _common.Figure("all", "all checks + storing flags: integrity_check (s)"),
    *[
        _common.Figure(name, f"  of which {name} (s, alone)")
        for name in CLAIM_CHECKS + CHECKS + LEDGER_CHECKS
    ],
    _common.Figure("flags", "flags raised", ",.0f"),
    _common.Figure("naive", "naive self-joins, all statements (s)"),
    _common.Figure("speedup", "speed-up (×)", ",.1f", higher_is_better=True),
]


def measure(args: argparse.Namespace) -> None:
    from django.db import connection

    from jineng.claims.models import Claim
    from jineng.claims.services import checks, checks_ledger, integrity, integrity_check

    if "claims_claim" not in connection.introspection.table_names() or not Claim.objects.exists():
        load(args)
    training = connection.cursor()
    training.execute("SELECT count(*) FROM dossier_fact WHERE kind = 'training'")
    (n,) = training.fetchone()
    m = Claim.objects.count()
    report = _common.Report(
        f"Integrity checks, {n:,} training records and {m:,} claims (PostgreSQL)", FIGURES
    )
    timed_out: list[str] = []

    def one(number: int) -> dict[str, float]:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM claims_claimflag")
        values: dict[str, float] = {}
        started = time.perf_counter()
        values["flags"] = float(integrity_check(actor=None))
        values["all"] = time.perf_counter() - started
        for name in CHECKS:
            started = time.perf_counter()
            getattr(checks, name)()
            values[name] = time.perf_counter() - started
        for name in LEDGER_CHECKS:
            started = time.perf_counter()
            getattr(checks_ledger, name)()
            values[name] = time.perf_counter() - started
        unpaid = Claim.objects.exclude(status__in=["paid", "recovered"])
        for name in CLAIM_CHECKS:
            started = time.perf_counter()
            getattr(integrity, name)(unpaid)
            values[name] = time.perf_counter() - started
        naive = 0.0
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {args.naive_timeout * 1000}")
            for key, sql in NAIVE.items():
                started = time.perf_counter()
                try:
                    cursor.execute(sql)
                    cursor.fetchall()
                    naive += time.perf_counter() - started
                except Exception:  # the statement hit the limit: counted at the limit
                    connection.rollback() if not connection.in_atomic_block else None
                    naive += args.naive_timeout
                    timed_out.append(f"run {number}: {key}")
            cursor.execute("SET statement_timeout = 0")
        values["naive"] = naive
        values["speedup"] = naive / values["all"]
        return values

    _common.run_repeated(report, args.runs, one)
    if timed_out:
        print(
            "naive statements stopped at --naive-timeout (speed-up is a lower bound): "
            + ", ".join(timed_out)
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url, reuse=args.reuse, keep=args.keep) as database:
        setup_django(database.url)
        from django.db import connections

        try:
            measure(args)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
