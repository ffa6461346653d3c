package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // literals only: never resolves
    }

    @Test
    void ipv4NetworkContainsItsAddressesOnly() throws Exception {
        Cidr net = Cidr.parse("10.0.0.0/8");
        assertTrue(net.contains(ip("10.0.0.0")));
        assertTrue(net.contains(ip("10.255.255.255")));
        assertFalse(net.contains(ip("11.0.0.0")));
        assertFalse(net.contains(ip("9.255.255.255")));
    }

    @Test
    void prefixNotOnAByteBoundaryIsHonoured() throws Exception {
        Cidr net = Cidr.parse("172.16.0.0/12");
        assertTrue(net.contains(ip("172.16.0.1")));
        assertTrue(net.contains(ip("172.31.255.255")));
        assertFalse(net.contains(ip("172.32.0.0")));
        assertFalse(net.contains(ip("172.15.255.255")));
        Cidr cgnat = Cidr.parse("100.64.0.0/10");
        assertTrue(cgnat.contains(ip("100.127.255.255")));
        assertFalse(cgnat.contains(ip("100.128.0.0")));
    }

    @Test
    void bareAddressIsASingleHost() throws Exception {
        Cidr host = Cidr.parse("127.0.0.1");
        assertEquals(Cidr.parse("127.0.0.1/32"), host);
        assertTrue(host.contains(ip("127.0.0.1")));
        assertFalse(host.contains(ip("127.0.0.2")));
    }

    @Test
    void zeroPrefixContainsEveryAddressOfItsFamily() throws Exception {
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("2001:db8::1")));
        assertFalse(Cidr.parse("::/0").contains(ip("203.0.113.9")));
    }

    @Test
    void ipv6NetworkContainsItsAddressesOnly() throws Exception {
        Cidr ula = Cidr.parse("fc00::/7");
        assertTrue(ula.contains(ip("fc00::1")));
        assertTrue(ula.contains(ip("fd00:ec2::254")));
        assertFalse(ula.contains(ip("fe00::1")));
        Cidr linkLocal = Cidr.parse("fe80::/10");
        assertTrue(linkLocal.contains(ip("febf:ffff::1")));
        assertFalse(linkLocal.contains(ip("fec0::1")));
        assertTrue(Cidr.parse("::1/128").contains(ip("::1")));
        assertFalse(Cidr.parse("::1/128").contains(ip("::2")));
    }

    @Test
    void hostBitsBelowThePrefixAreIgnored() throws Exception {
        assertEquals(Cidr.parse("127.0.0.0/8"), Cidr.parse("127.0.0.1/8"));
        assertEquals("127.0.0.0/8", Cidr.parse("127.1.2.3/8").toString());
        assertEquals("2001:db8:0:0:0:0:0:0/32", Cidr.parse("2001:db8::1/32").toString());
    }

    @Test
    void ipv4MappedNetworkIsTheIpv4Network() throws Exception {
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        assertEquals(Cidr.parse("10.0.0.0/8"), mapped);
        assertTrue(mapped.isIpv4());
        // Java already turns a mapped literal into its IPv4 address.
        assertTrue(mapped.contains(ip("::ffff:10.1.2.3")));
    }

    @Test
    void malformedNetworksAreRefused() {
        for (String bad : List.of(
                "",
                "/8",
                "10.0.0.0/",
                "10.0.0.0/33",
                "::/129",
                "10.0.0.0/-1",
                "10.0.0.0/abc",
                "10.0.0.256",
                "10.0.0",
                "10.0.0.0.0",
                "1O.0.0.0",
                "+1.0.0.0/8",
                "::g",
                "fe80::1%eth0",
                "[::1]/128")) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
    }

    @Test
    void hostNamesAreRefusedWithoutBeingResolved() {
        // "localhost" would resolve; the parser must refuse it as not a literal instead.
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost/32"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/8"));
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("  10.0.0.0/8 "));
    }
}
