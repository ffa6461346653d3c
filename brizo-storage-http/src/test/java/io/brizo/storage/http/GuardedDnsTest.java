package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;
import org.junit.jupiter.api.Test;

class GuardedDnsTest {
    /** A resolver that answers from a fixed table, so the test needs no DNS. */
    private static Dns table(String... literals) {
        return hostname -> {
            List<InetAddress> out = new java.util.ArrayList<>();
            for (String l : literals) {
                out.add(InetAddress.getByName(l));
            }
            return out;
        };
    }

    @Test
    void refusedAddressesAreDroppedAndAllowedOnesKeptInOrder() throws Exception {
        Dns dns = new GuardedDns(
                AddressPolicy.allowing(List.of()), table("127.0.0.1", "93.184.216.34", "10.0.0.1", "8.8.8.8"));
        assertEquals(
                List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("8.8.8.8")),
                dns.lookup("mixed.example"));
    }

    @Test
    void hostWithOnlyRefusedAddressesFailsAsARefusal() {
        Dns dns = new GuardedDns(AddressPolicy.allowing(List.of()), table("127.0.0.1", "::1"));
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> dns.lookup("localhost"));
        assertTrue(AddressRefusal.isRefusal(e));
        assertFalse(e.getMessage().contains("localhost"), "the message names no host");
    }

    @Test
    void allowListLetsAddressesThrough() throws Exception {
        Dns dns =
                new GuardedDns(AddressPolicy.allowing(List.of(Cidr.parse("127.0.0.1/32"))), table("127.0.0.1", "::1"));
        assertEquals(List.of(InetAddress.getByName("127.0.0.1")), dns.lookup("localhost"));
    }
}
