package io.brizo.storage.http;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Decides which IP addresses the HTTP driver may connect to. Immutable and thread-safe.
 *
 * <p>A storage URL comes from asset metadata, so without this rule anyone who can publish an
 * asset could make the publisher's server fetch from its own network (server-side request
 * forgery): the cloud metadata endpoint, an admin console on localhost, a database on a private
 * network. Loopback, private, link-local, multicast, unspecified, carrier-grade NAT and reserved
 * addresses are therefore refused unless a network of the explicit allow-list contains them.
 *
 * <p>IPv6 forms that embed an IPv4 address (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
 * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16}) are judged by the
 * IPv4 address they carry as well, so they cannot be used to smuggle a refused one past.
 */
final class AddressPolicy {
    private static final List<Cidr> REFUSED = List.of(
            Cidr.parse("0.0.0.0/8"), // "this network", includes the any-local 0.0.0.0
            Cidr.parse("10.0.0.0/8"), // private
            Cidr.parse("100.64.0.0/10"), // carrier-grade NAT
            Cidr.parse("127.0.0.0/8"), // loopback
            Cidr.parse("169.254.0.0/16"), // link-local, includes cloud metadata 169.254.169.254
            Cidr.parse("172.16.0.0/12"), // private
            Cidr.parse("192.168.0.0/16"), // private
            Cidr.parse("224.0.0.0/4"), // multicast
            Cidr.parse("240.0.0.0/4"), // reserved, includes broadcast 255.255.255.255
            Cidr.parse("::/128"), // any-local
            Cidr.parse("::1/128"), // loopback
            Cidr.parse("fc00::/7"), // unique local, includes the AWS metadata fd00:ec2::254
            Cidr.parse("fe80::/10"), // link-local
            Cidr.parse("fec0::/10"), // deprecated site-local, still routed by some stacks
            Cidr.parse("ff00::/8")); // multicast

    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final Cidr IPV4_COMPATIBLE = Cidr.of(new byte[16], 96);

    private final List<Cidr> allowed;

    private AddressPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** {@return a policy that refuses the special-purpose networks except those in {@code allowed}} */
    static AddressPolicy allowing(List<Cidr> allowed) {
        return new AddressPolicy(allowed);
    }

    /** {@return the explicitly allowed networks} */
    List<Cidr> allowed() {
        return allowed;
    }

    /** {@return whether a connection to {@code address} is allowed} */
    boolean allows(InetAddress address) {
        byte[] raw = address.getAddress();
        byte[] embedded = embeddedIpv4(raw);
        if (matchesAny(allowed, raw) || (embedded != null && matchesAny(allowed, embedded))) {
            return true;
        }
        return !matchesAny(REFUSED, raw) && (embedded == null || !matchesAny(REFUSED, embedded));
    }

    /** {@return whether {@code raw} is an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d})} */
    static boolean isIpv4Mapped(byte[] raw) {
        if (raw.length != 16 || raw[10] != (byte) 0xff || raw[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** {@return the IPv4 address an IPv6 address carries, or null if it carries none} */
    static byte[] embeddedIpv4(byte[] raw) {
        if (raw.length != 16) {
            return null;
        }
        if (isIpv4Mapped(raw) || NAT64.contains(raw) || IPV4_COMPATIBLE.contains(raw)) {
            return Arrays.copyOfRange(raw, 12, 16);
        }
        if (SIX_TO_FOUR.contains(raw)) {
            return Arrays.copyOfRange(raw, 2, 6);
        }
        return null;
    }

    private static boolean matchesAny(List<Cidr> networks, byte[] raw) {
        for (Cidr c : networks) {
            if (c.contains(raw)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "AddressPolicy{allowed=" + allowed + "}";
    }
}
