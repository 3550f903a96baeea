#!/usr/bin/env bash
# A desktop notification from the real app (driven by tests/tauri_app.rs), run inside
# `xvfb-run -a dbus-run-session --`:
#   bash notify_check.sh APP DATA_DIR WORK_DIR
# Starts the notification daemon dunst on the session bus, records the bus's Notify calls with
# dbus-monitor and starts the app on DATA_DIR; writes WORK_DIR/ready, waits for
# WORK_DIR/answered (the test has had a town-hall answer reach the relay by then) and succeeds
# when the app has announced it through the daemon within 60 s.
set -uo pipefail
app=$1 data=$2 work=$3
log=$work/notify.log
dunst >"$work/dunst.log" 2>&1 &
dunst_pid=$!
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" >"$log" 2>&1 &
monitor_pid=$!
ALLMENDE_DATA=$data ALLMENDE_NO_LAN=1 "$app" >"$work/app.log" 2>&1 &
app_pid=$!
trap 'kill $app_pid $monitor_pid $dunst_pid 2>/dev/null; wait 2>/dev/null' EXIT
owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q true
}
for _ in $(seq 60); do owned && break; sleep 0.5; done
owned || { echo "the notification daemon did not start:"; cat "$work/dunst.log"; exit 1; }
kill -0 "$app_pid" || { echo "the app did not start:"; cat "$work/app.log"; exit 1; }
touch "$work/ready"
for _ in $(seq 240); do [ -f "$work/answered" ] && break; sleep 0.5; done
for _ in $(seq 120); do
  if grep -q "Antwort vom Rathaus" "$log"; then
    echo "notified:"; grep -A12 "member=Notify" "$log" | grep string
    exit 0
  fi
  sleep 0.5
done
echo "no notification within 60 s; app output:"; cat "$work/app.log"
exit 1
