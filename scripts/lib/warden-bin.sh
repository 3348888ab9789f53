# Sourced by the measuring scripts (run from the repository root): sets BIN to $WARDEN_BIN
# when given (another build, e.g. the previous commit's, for a same-session baseline), else
# builds this checkout's release binary and uses it.
if [ -n "${WARDEN_BIN:-}" ]; then
  BIN=$WARDEN_BIN
else
  cargo build --release -q --bin warden
  BIN=target/release/warden
fi
