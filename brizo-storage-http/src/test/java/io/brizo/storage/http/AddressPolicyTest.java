package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {
    private static final AddressPolicy DEFAULT = AddressPolicy.allowing(List.of());

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    /** An IPv6 address from raw bytes, bypassing Java's unwrapping of mapped literals. */
    private static InetAddress ipv6(String literal) throws UnknownHostException {
        byte[] raw = InetAddress.getByName(literal).getAddress();
        if (raw.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            raw = mapped;
        }
        return java.net.Inet6Address.getByAddress(null, raw, -1);
    }

    @Test
    void specialPurposeAddressesAreRefusedByDefault() throws Exception {
        for (String refused : List.of(
                "127.0.0.1",
                "127.255.255.254",
                "10.1.2.3",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "169.254.0.1",
                "100.64.0.1",
                "100.127.255.255",
                "0.0.0.0",
                "0.1.2.3",
                "224.0.0.1",
                "239.255.255.250",
                "255.255.255.255",
                "240.0.0.1",
                "::",
                "::1",
                "fc00::1",
                "fd00:ec2::254",
                "fe80::1",
                "fec0::1",
                "ff02::1")) {
            assertFalse(DEFAULT.allows(ip(refused)), refused);
        }
    }

    @Test
    void publicAddressesAreAllowedByDefault() throws Exception {
        for (String allowed : List.of(
                "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111")) {
            assertTrue(DEFAULT.allows(ip(allowed)), allowed);
        }
    }

    @Test
    void ipv6FormsThatCarryARefusedIpv4AddressAreRefused() throws Exception {
        for (String refused : List.of(
                "::ffff:127.0.0.1", // IPv4-mapped
                "::ffff:169.254.169.254",
                "::10.0.0.1", // IPv4-compatible
                "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
                "2002:7f00:1::1")) { // 6to4 of 127.0.0.1
            assertFalse(DEFAULT.allows(ipv6(refused)), refused);
        }
        assertTrue(DEFAULT.allows(ipv6("64:ff9b::808:808")), "NAT64 of a public address");
    }

    @Test
    void allowListOverridesTheRefusal() throws Exception {
        AddressPolicy local = AddressPolicy.allowing(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128")));
        assertTrue(local.allows(ip("127.0.0.1")));
        assertTrue(local.allows(ip("::1")));
        assertTrue(local.allows(ipv6("::ffff:127.0.0.1")), "the mapped form of an allowed address");
        assertFalse(local.allows(ip("127.0.0.2")));
        assertFalse(local.allows(ip("169.254.169.254")));
        assertTrue(local.allows(ip("93.184.216.34")), "public addresses stay allowed");
    }

    @Test
    void allowListEntryCoversAWholeNetwork() throws Exception {
        AddressPolicy lab = AddressPolicy.allowing(List.of(Cidr.parse("10.20.0.0/16")));
        assertTrue(lab.allows(ip("10.20.30.40")));
        assertFalse(lab.allows(ip("10.21.0.1")));
    }
}
