# Sourced by run.sh and campaign.sh: every sanitizer finding ends the run with a saved
# input. The targets are built with -fno-sanitize-recover=all (UBSan aborts instead of
# printing and going on); these options say the same at run time, after any the caller
# set, so an ASAN_OPTIONS or UBSAN_OPTIONS from the environment cannot turn it off.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1:abort_on_error=1:detect_leaks=1"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS
