// SPDX-License-Identifier: GPL-2.0
/*
 * bpf-filter: a socket filter the kernel JIT-compiles, for the test that the BPF JIT
 * keeps working under the lock (it writes the program into executable kernel memory
 * with text_poke_copy()).
 *
 *   bpf-filter N   attach a classic BPF program (converted to eBPF and JIT-compiled
 *                  where net.core.bpf_jit_enable is 1) to a UDP socket on the
 *                  loopback: "accept a datagram longer than 60 bytes, drop the rest";
 *                  send N short and N long datagrams to it, then read what arrived.
 *                  Prints "bpf-filter: ok N long, 0 short, jit J" and exits 0 when
 *                  exactly the long ones arrived; otherwise says what did, exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SHORT_LEN	4
#define LONG_LEN	200

static int jit_enable(void)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* the test guest's init may leave the loopback down */
static void loopback_up(int s)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			fprintf(stderr, "bpf-filter: lo up: %s\n", strerror(errno));
	}
}

int main(int argc, char **argv)
{
	/* A = skb->len; A > 60 ? accept all : drop */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 60, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	char buf[LONG_LEN];
	int n = argc > 1 ? atoi(argv[1]) : 10, rx, tx, i, got_long = 0, got_short = 0;
	ssize_t r;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx >= 0)
		loopback_up(rx);
	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(rx, (struct sockaddr *)&addr, &alen)) {
		fprintf(stderr, "bpf-filter: socket: %s\n", strerror(errno));
		return 1;
	}
	if (setsockopt(rx, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		fprintf(stderr, "bpf-filter: SO_ATTACH_FILTER: %s\n", strerror(errno));
		return 1;
	}
	memset(buf, 'b', sizeof(buf));
	for (i = 0; i < n; i++) {
		if (sendto(tx, buf, SHORT_LEN, 0, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
		    sendto(tx, buf, LONG_LEN, 0, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			fprintf(stderr, "bpf-filter: sendto: %s\n", strerror(errno));
			return 1;
		}
	}
	/* loopback delivery is synchronous: everything that passed is queued by now */
	while ((r = recv(rx, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		if (r == LONG_LEN)
			got_long++;
		else
			got_short++;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		fprintf(stderr, "bpf-filter: recv: %s\n", strerror(errno));
		return 1;
	}
	printf("bpf-filter: %s %d long, %d short, jit %d\n",
	       got_long == n && !got_short ? "ok" : "FAIL", got_long, got_short, jit_enable());
	return got_long == n && !got_short ? 0 : 1;
}
