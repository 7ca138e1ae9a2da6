/* lwIP options for the gateway: NO_SYS, raw API only, every pool sized from
 * the board's capacity profile (gw_profile.h). */
#ifndef GW_LWIPOPTS_H_
#define GW_LWIPOPTS_H_

#include "gw_profile.h"

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1

/* Memory: the lwIP heap and pools are static arrays. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
/* The widest member of lwIP structs is a pointer: 4 on Cortex-M, 8 on a
 * 64-bit host (host-sim), where 4 would misalign heap pbufs. */
#define MEM_ALIGNMENT __SIZEOF_POINTER__
#define MEM_SIZE GW_CAP_LWIP_HEAP
#define MEMP_NUM_PBUF 16
#define MEMP_NUM_UDP_PCB GW_CAP_UDP_PCBS
#define MEMP_NUM_TCP_PCB GW_CAP_TCP_PCBS
#define MEMP_NUM_TCP_PCB_LISTEN GW_CAP_TCP_LISTEN
#define MEMP_NUM_TCP_SEG 32
#define MEMP_NUM_REASSDATA 4
#define MEMP_NUM_FRAG_PBUF 8
#define MEMP_NUM_ARP_QUEUE 8
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE GW_CAP_PBUF_POOL
/* One pool pbuf holds a whole Ethernet frame, so drivers receive in place. */
#define PBUF_POOL_BUFSIZE 1536
#define ETH_PAD_SIZE 0

/* Protocols. */
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 16
#define ARP_QUEUEING 1
#define LWIP_ETHERNET 1
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 8
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN 16
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 1

/* Software checksums everywhere (no offload on LAN9118 or TAP). */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1

/* Counters for DSP PERF. */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LINK_STATS 1
#define ETHARP_STATS 1
#define IP_STATS 1
#define UDP_STATS 1
#define TCP_STATS 1
#define MEM_STATS 1
#define MEMP_STATS 1
#define ICMP_STATS 1

#define LWIP_DEBUG 0

#endif
