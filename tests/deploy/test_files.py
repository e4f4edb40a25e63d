"""The deployment's files in deploy/ agree with the platform and with each other (issue 12,
item 4). What an operator installs is these files (docs/deployment.md); the broker tests start
the configuration brokerconfig.py writes, the smoke test (deploy/smoke/run.py, `make
deploy-smoke`) starts deploy/ itself. These tests fail when the two drift apart, when a setting
the platform reads is missing from the environment template, or when a unit, the nginx site and
the template disagree on a path, a port or a schedule."""

import importlib.util
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import get_commands

from stadtallianz.sensorthings.mqtt import brokerconfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
DOCS = (ROOT / "docs" / "deployment.md").read_text()


def _smoke_module():
    """deploy/smoke/run.py, whose unit and environment-file readers the smoke test uses."""
    spec = importlib.util.spec_from_file_location("deploy_smoke_run", DEPLOY / "smoke" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


smoke = _smoke_module()
TEMPLATE_TEXT = (DEPLOY / "stadtallianz.env.example").read_text()
TEMPLATE = smoke.parse_environment_file(TEMPLATE_TEXT)


def _unit(name: str) -> dict:
    return smoke.parse_unit(UNITS / name)


def _exec_start(name: str) -> list[str]:
    import shlex

    return shlex.split(smoke.unit_value(_unit(name), "Service", "ExecStart"))


def _option(arguments: list[str], option: str) -> str:
    return arguments[arguments.index(option) + 1]


def test_mosquitto_site_configuration_is_what_brokerconfig_writes():
    """deploy/mosquitto/stadtallianz.conf is brokerconfig.mosquitto_conf() with the paths, ports
    and bridge user that the unit and the environment template name (below a comment)."""
    mqtt_url = urlparse(TEMPLATE["MQTT_URL"])
    arguments = _exec_start("stadtallianz-mosquitto-config.service")
    expected = brokerconfig.mosquitto_conf(
        password_path=_option(arguments, "--password-file"),
        publisher_plugin=TEMPLATE["MQTT_PUBLISHER_PLUGIN"],
        bridge_user=mqtt_url.username,
        public_port=mqtt_url.port,
        device_port=urlparse(TEMPLATE["MQTT_PUBLIC_URL"]).port,
        prefix="ingest/",
    )
    shipped = (DEPLOY / "mosquitto" / "stadtallianz.conf").read_text()
    assert shipped.endswith(expected), (
        "deploy/mosquitto/stadtallianz.conf differs from brokerconfig.mosquitto_conf(): write "
        "it again from brokerconfig (docs/deployment.md 'Broker configuration')")
    header = shipped[: -len(expected)]
    assert all(line.startswith("#") for line in header.splitlines())
    assert urlparse(TEMPLATE["MQTT_SUBSCRIBE_URL"]).port == mqtt_url.port
    assert "# MQTT_INGEST_PREFIX=ingest/" in TEMPLATE_TEXT


def test_mosquitto_main_configuration_repeats_no_value_of_the_site_file():
    """Mosquitto refuses a single value given twice (Debian's mosquitto.conf sets
    persistence_location, and the broker did not start): the main file sets none of the site
    file's options, names the pid file mosquitto-config signals, and reads conf.d."""
    def options(text):
        return {line.split()[0] for line in text.splitlines()
                if line.strip() and not line.startswith("#")}

    main = (DEPLOY / "mosquitto" / "mosquitto.conf").read_text()
    site = (DEPLOY / "mosquitto" / "stadtallianz.conf").read_text()
    assert options(main) == {"pid_file", "include_dir"}
    assert not options(main) & options(site)
    arguments = _exec_start("stadtallianz-mosquitto-config.service")
    assert f"pid_file {_option(arguments, '--pid-file')}\n" in main
    assert "include_dir /etc/mosquitto/conf.d\n" in main


def test_environment_template_names_every_setting_the_platform_reads():
    # env.str("NAME", …), env.int(…), … (environs) and required_in_production("NAME", …)
    read = set(re.findall(r'\b(?:env\.[a-z_]+|required_in_production)\(\s*"([A-Z0-9_]+)"',
                          (ROOT / "config" / "settings.py").read_text()))
    read |= {"MQTT_BRIDGE_USER", "MQTT_BRIDGE_PASSWORD"}  # mosquitto-config reads them
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", TEMPLATE_TEXT, re.MULTILINE))
    assert read - listed == set(), "settings missing from deploy/stadtallianz.env.example"
    assert listed - read == set(), "the template lists settings the platform does not read"


def test_environment_template_is_read_alike_by_systemd_and_the_shell(tmp_path):
    """The units read it with EnvironmentFile=, stadtallianz-manage with `set -a; . file`."""
    path = tmp_path / "stadtallianz.env"
    path.write_text(TEMPLATE_TEXT)
    assert smoke.shell_environment(path) == TEMPLATE
    assert TEMPLATE["DEBUG"] == "false"
    assert TEMPLATE["TASKS_BACKEND"] == "database"
    assert TEMPLATE["PROXY_COUNT"] == "1"



def test_environment_template_header_installs_it_as_the_docs_do():
    """An administrator may follow the template's header instead of the docs: its commands are
    step 5's, and it names the placeholder the file really uses (CHANGE-ME)."""
    header = TEMPLATE_TEXT.split("\n\n", 1)[0]
    commands = [line.removeprefix("#").strip() for line in header.splitlines()
                if line.startswith("#   ")]
    step5 = DOCS.split("**5. The environment file**", 1)[1].split("**6.", 1)[0]
    assert commands and all(command in step5 for command in commands), commands
    assert "CHANGE-ME" in header and "<...>" not in header
    assert "SECRET_KEY=CHANGE-ME" in TEMPLATE_TEXT

SCHEDULES = {  # docs/deployment.md "Scheduled jobs"
    "stadtallianz-reminders": ("hourly", ["send_event_reminders"]),
    "stadtallianz-funding-reminders": ("hourly", ["send_funding_reminders"]),
    "stadtallianz-partner-search": ("*-*-* 03:20:00", ["archive_expired_notices"]),
    "stadtallianz-open-data": ("*-*-* 03:40:00", ["refresh_open_data"]),
    "stadtallianz-catalogue-check": ("*-*-* 04:10:00", ["validate_catalogue"]),
    "stadtallianz-impact": ("*-*-* 04:20:00", ["compute_impact_figures"]),
    "stadtallianz-notifications": ("*:0/5", ["send_pending_notifications"]),
    "stadtallianz-digest": ("*-*-* 07:00:00", ["send_notification_digests"]),
    "stadtallianz-retention": ("*-*-* 03:00:00", ["apply_retention"]),
    "stadtallianz-data-exports": ("*-*-* 03:15:00", ["expire_data_exports"]),
    "stadtallianz-prune-tasks": ("Sun *-*-* 03:30:00",
                                 ["prune_db_task_results", "--min-age-days", "7"]),
    # docs/backup.md "Nightly backups": before the retention deletes the day's old observations.
    "stadtallianz-backup": ("*-*-* 02:30:00",
                            ["backup", "--into", "/var/backups/stadtallianz", "--keep-days", "14"]),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_each_periodic_job_is_a_persistent_timer_with_a_oneshot_service(name):
    calendar, command = SCHEDULES[name]
    timer = smoke.parse_unit(UNITS / f"{name}.timer")
    assert smoke.unit_value(timer, "Timer", "OnCalendar") == calendar
    assert smoke.unit_value(timer, "Timer", "Persistent") == "true"
    assert smoke.unit_value(timer, "Install", "WantedBy") == "timers.target"
    assert smoke.unit_value(_unit(f"{name}.service"), "Service", "Type") == "oneshot"
    assert _exec_start(f"{name}.service")[1:] == command
    assert f"`{name}.timer`" in DOCS or name in DOCS
    assert {path.stem for path in UNITS.glob("*.timer")} == set(SCHEDULES)


def test_nightly_backup_writes_into_the_private_folder_the_install_creates():
    """The backup unit's folder is the one step 3 of "Install" creates for the service user with
    0700 (password hashes, members-only documents), and docs/backup.md refers to the shipped
    unit instead of carrying a copy of it."""
    arguments = _exec_start("stadtallianz-backup.service")
    folder = _option(arguments, "--into")
    created = re.findall(r"^install -d -o stadtallianz -g stadtallianz -m (\d+) ((?:.*\\\n)*.*)$",
                         DOCS, re.MULTILINE)
    modes = {path: mode for mode, paths in created for path in paths.replace("\\", " ").split()}
    assert modes.get(folder) == "0700", f"docs/deployment.md step 3 does not create {folder} 0700"
    assert int(_option(arguments, "--keep-days")) >= 1
    unit = _unit("stadtallianz-backup.service")
    assert smoke.unit_value(unit, "Service", "User") == "stadtallianz"
    assert smoke.unit_value(unit, "Service", "UMask") == "0077"
    assert "stadtallianz-backup.timer" in DOCS
    backup_docs = (ROOT / "docs" / "backup.md").read_text()
    assert "deploy/systemd/stadtallianz-backup.service" in backup_docs
    assert "[Service]" not in backup_docs and "ExecStartPost" not in backup_docs, \
        "docs/backup.md copies the backup unit: refer to deploy/systemd/"


@pytest.mark.parametrize("path", sorted(UNITS.glob("*.service")), ids=lambda path: path.name)
def test_every_service_runs_a_command_of_this_checkout_with_the_environment_file(path):
    unit = smoke.parse_unit(path)
    assert smoke.unit_value(unit, "Service", "EnvironmentFile") == "/etc/stadtallianz.env"
    assert smoke.unit_value(unit, "Service", "WorkingDirectory") == "/srv/stadtallianz"
    assert smoke.unit_value(unit, "Service", "User") in {"stadtallianz", "root"}
    arguments = _exec_start(path.name)
    program = arguments[0]
    assert program.startswith("/srv/stadtallianz/.venv/bin/")
    assert (ROOT / ".venv" / "bin" / Path(program).name).exists()
    if Path(program).name == "stadtallianz":
        assert arguments[1] in get_commands(), f"{path.name}: no command {arguments[1]}"


def test_web_unit_reloads_gracefully_and_nginx_proxies_to_it():
    arguments = _exec_start("stadtallianz.service")
    unit = _unit("stadtallianz.service")
    assert smoke.unit_value(unit, "Service", "ExecReload") == "/bin/kill -s HUP $MAINPID"
    assert "--no-control-socket" in arguments
    assert _option(arguments, "--forwarded-allow-ips") == "127.0.0.1"
    site = (DEPLOY / "nginx" / "stadtallianz.conf").read_text()
    assert f"server {_option(arguments, '--bind')};" in site


def test_only_the_web_unit_keeps_metrics_files_in_its_own_runtime_folder():
    """PROMETHEUS_MULTIPROC_DIR: the web service's own folder, empty at each start
    (docs/monitoring.md "Metrics under gunicorn"), never in the shared environment file."""
    unit = _unit("stadtallianz.service")
    folder = smoke.unit_value(unit, "Service", "RuntimeDirectory")
    assert smoke.unit_value(unit, "Service", "Environment") == \
        f"PROMETHEUS_MULTIPROC_DIR=/run/{folder}"
    assert smoke.unit_value(unit, "Service", "RuntimeDirectoryMode") == "0700"
    assert "PROMETHEUS_MULTIPROC_DIR" not in TEMPLATE_TEXT
    for path in UNITS.glob("*.service"):
        if path.name != "stadtallianz.service":
            assert "PROMETHEUS_MULTIPROC_DIR" not in path.read_text(), path.name


def test_templated_bridge_shares_the_subscription_with_a_client_id_per_instance():
    arguments = _exec_start("stadtallianz-mqtt@.service")
    assert _option(arguments, "--share") == "ingest"
    assert _option(arguments, "--client-id") == "stadtallianz-bridge-%i"


def test_nginx_site_takes_uploads_above_the_limit_and_never_serves_the_private_folder():
    site = (DEPLOY / "nginx" / "stadtallianz.conf").read_text()
    body_limit = int(re.search(r"client_max_body_size (\d+)m;", site).group(1)) * 1024 * 1024
    document_limit = int(re.search(r"^# DOCUMENT_MAX_BYTES=(\d+)$", TEMPLATE_TEXT,
                                   re.MULTILINE).group(1))
    # Room for the form around the file: the platform answers a file over its limit, not nginx.
    assert body_limit >= document_limit + 1024 * 1024
    served = re.findall(r"^\s*(?:alias|root) ([^;]+);", site, re.MULTILINE)
    assert served, "the site serves no folder?"
    assert TEMPLATE["STATIC_ROOT"] + "/" in served
    assert TEMPLATE["MEDIA_ROOT"] + "/" in served
    for folder in served:
        assert not TEMPLATE["PRIVATE_MEDIA_ROOT"].startswith(folder.rstrip("/")), folder
        assert not folder.startswith(TEMPLATE["PRIVATE_MEDIA_ROOT"]), folder
    plain = site[site.rindex("server {"):]
    assert "listen 80;" in plain and "location = /healthz" in plain
    assert "return 301 https://$host$request_uri;" in plain


def test_docs_refer_to_every_deploy_file_and_carry_no_copy_of_a_unit():
    shipped = [path.relative_to(ROOT).as_posix() for path in sorted(DEPLOY.rglob("*"))
               if path.is_file() and "smoke" not in path.parts and "__pycache__" not in path.parts]
    for name in shipped:
        stem = name.rsplit("/", 1)[-1]
        # A timer's service is named through its timer ("a oneshot service with a timer").
        timer = stem.removesuffix(".service") + ".timer"
        assert any(text in DOCS for text in (name, stem, timer)), \
            f"docs/deployment.md does not mention {name}"
    assert "[Service]" not in DOCS, "docs/deployment.md copies a unit: refer to deploy/systemd/"
    assert "proxy_pass" not in DOCS, "docs/deployment.md copies the nginx site"
    assert "deploy/smoke/run.py" in DOCS and "make deploy-smoke" in DOCS


def test_systemd_accepts_every_unit(tmp_path):
    """`systemd-analyze verify` (offline): no unknown key or section, every command executable
    (with the checkout in place of /srv/stadtallianz), every timer's service there."""
    import shutil
    import subprocess

    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (Debian's systemd package)"
    for path in UNITS.iterdir():
        name = path.name.replace("@.service", "@1.service")  # an instance of the template
        (tmp_path / name).write_text(path.read_text().replace("/srv/stadtallianz", str(ROOT)))
    units = sorted(str(path) for path in tmp_path.iterdir())
    result = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True,  # noqa: S603
                            text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
