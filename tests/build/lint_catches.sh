#!/usr/bin/env bash
# make lint's checker (scripts/lint.py) fails on what it is there for: a volatile ring
# head, a user-visible string split across lines, a raw printf attribute; and passes
# the same file written in kernel style.  (make lint itself runs it over core/, linux/.)
. "$(dirname "$0")/lib.sh"

bad=$TMP/bad.c good=$TMP/good.c
cat >"$bad" <<'C'
// SPDX-License-Identifier: GPL-2.0
struct ring {
	volatile unsigned int head;
};

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void f(void)
{
	say("a user-visible message that someone "
	    "split across two lines\n");
}
C
cat >"$good" <<'C'
// SPDX-License-Identifier: GPL-2.0
struct ring {
	unsigned int head;
};

__printf(1, 2) void say(const char *fmt, ...);

void f(void)
{
	say("a user-visible message that someone kept on one line\n");
}
C
out=$(python3 "$ROOT/scripts/lint.py" "$ROOT/build/lint" "$bad" 2>&1)
rc=$?
want=(VOLATILE SPLIT_STRING PREFER_DEFINED_ATTRIBUTE_MACRO)
if [ $rc = 1 ]; then
	for t in "${want[@]}"; do
		grep -q ":$t:" <<<"$out" || fail "bad file: no $t finding in: $out"
	done
	[ $failures = 0 ] && pass bad "${want[*]} found, exit 1"
else
	fail "bad file: lint.py exited $rc: $out"
fi
if out=$(python3 "$ROOT/scripts/lint.py" "$ROOT/build/lint" "$good" 2>&1); then
	pass good "$(tail -n1 <<<"$out")"
else
	fail "good file: $out"
fi
done_
