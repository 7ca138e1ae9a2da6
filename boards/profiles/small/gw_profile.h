/* Capacity profile "small": the mps2-an386 board and host-sim by default.
 * Every fixed table in the firmware takes its size from here; docs/memory.md
 * adds the figures up. Plain C so that lwipopts.h can include it. */
#ifndef GW_PROFILE_H_
#define GW_PROFILE_H_

#define GW_PROFILE_NAME "small"

/* Subscribers and signalling. */
#define GW_CAP_USERS 256
#define GW_CAP_BINDINGS 512
#define GW_CAP_CALLS 64
#define GW_CAP_RELAYED_CALLS 32
#define GW_CAP_CDRS 2048
#define GW_CAP_TRANSACTIONS 128
/* Largest SIP message the gateway forwards or keeps for retransmission (the
 * copy every transaction holds): phones send INVITEs with rich SDP (many
 * codecs, ICE candidates) well past 2 KiB over UDP. Larger requests get 413
 * (a body) or 513. */
#define GW_CAP_SIP_MESSAGE 4096
/* SIP request sources tracked by the rate limiter (SIP.RATE_LIMIT): one per
 * phone or NAT address in use at once; when full, the source seen least
 * recently is forgotten. */
#define GW_CAP_RATE_SOURCES 256

/* Operator shell. */
#define GW_CAP_TELNET_SESSIONS 2
/* Sources (telnet peers, the console) whose failed MML logins are
 * remembered for the growing delay and the lockout. */
#define GW_CAP_LOGIN_SOURCES 16
/* Output queued per telnet session: the largest report (DSP LOG with every
 * line of the ring, about 160 bytes a line) must fit whole. */
#define GW_CAP_TELNET_TX_QUEUE 24576
#define GW_CAP_LOG_LINES 128
#define GW_CAP_LOG_LINE_CHARS 120

/* Network stack (lwIP). */
#define GW_CAP_PBUF_POOL 48    /* RX frames in flight */
#define GW_CAP_LWIP_HEAP 24576 /* TX pbufs built by the stack */
#define GW_CAP_UDP_PCBS 8      /* SIP, TFTP, SNTP, syslog */
#define GW_CAP_TCP_PCBS 4      /* telnet sessions + spare */
#define GW_CAP_TCP_LISTEN 2

#endif
