/**
 * Ports a node should not dial automatically: Bitcoin Core's IsBadPort (src/netbase.cpp, list
 * documented in doc/p2p-bad-ports.md). Anyone can gossip "victim:25"; dialling it would speak
 * the Bitcoin protocol at someone's mail server. Core's CConnman::ThreadOpenConnections
 * (src/net.cpp) skips such IPv4/IPv6 addresses.
 */

/** IsBadPort's list, in Core's order: 85 well-known service ports. */
export const BAD_PORTS: readonly number[] = [
  1, // tcpmux
  7, // echo
  9, // discard
  11, // systat
  13, // daytime
  15, // netstat
  17, // qotd
  19, // chargen
  20, // ftp data
  21, // ftp access
  22, // ssh
  23, // telnet
  25, // smtp
  37, // time
  42, // name
  43, // nicname
  53, // domain
  69, // tftp
  77, // priv-rjs
  79, // finger
  87, // ttylink
  95, // supdup
  101, // hostname
  102, // iso-tsap
  103, // gppitnp
  104, // acr-nema
  109, // pop2
  110, // pop3
  111, // sunrpc
  113, // auth
  115, // sftp
  117, // uucp-path
  119, // nntp
  123, // ntp
  135, // loc-srv / epmap
  137, // netbios
  139, // netbios
  143, // imap2
  161, // snmp
  179, // bgp
  389, // ldap
  427, // slp (also Apple Filing Protocol)
  465, // smtp+ssl
  512, // print / exec
  513, // login
  514, // shell
  515, // printer
  526, // tempo
  530, // courier
  531, // chat
  532, // netnews
  540, // uucp
  548, // afp
  554, // rtsp
  556, // remotefs
  563, // nntp+ssl
  587, // smtp (RFC 6409)
  601, // syslog-conn (RFC 3195)
  636, // ldap+ssl
  989, // ftps-data
  990, // ftps
  993, // imap+ssl (Core's comment says ldap+ssl)
  995, // pop3+ssl
  1719, // h323gatestat
  1720, // h323hostcall
  1723, // pptp
  2049, // nfs
  3306, // mysql
  3389, // rdp
  3659, // apple-sasl
  4045, // lockd
  5060, // sip
  5061, // sips
  5432, // postgresql
  5900, // vnc
  6000, // x11
  6566, // sane-port
  6665, // irc (alternate)
  6666, // irc (alternate)
  6667, // irc
  6668, // irc (alternate)
  6669, // irc (alternate)
  6697, // irc + tls
  10080, // amanda
  27017, // mongodb
];

const BAD = new Set(BAD_PORTS);

/** Core's IsBadPort. Port 0 is not on the list (it cannot be dialled at all; see lib/net/dial.ts). */
export function isBadPort(port: number): boolean {
  return BAD.has(port);
}
