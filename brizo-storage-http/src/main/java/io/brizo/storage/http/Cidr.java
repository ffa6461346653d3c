package io.brizo.storage.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}). Immutable.
 *
 * <p>Parsing never touches DNS: only address literals are accepted, so a setting cannot make the
 * library resolve a name at startup. An IPv4 network never contains an IPv6 address and vice
 * versa; callers unwrap IPv4-mapped IPv6 addresses first (see {@link AddressPolicy}).
 */
final class Cidr {
    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = mask(network, prefixLength);
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code x:y::z/n}, or a bare address (a network of one host).
     * Host bits below the prefix are ignored, so {@code 127.0.0.1/8} means {@code 127.0.0.0/8}.
     *
     * @throws IllegalArgumentException if the text is not an address literal with a valid prefix
     */
    static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addressText = slash < 0 ? s : s.substring(0, slash);
        byte[] address = parseLiteral(addressText);
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("invalid prefix length in " + s);
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length above " + max + " in " + s);
            }
        }
        if (address.length == 16 && prefix >= 96 && AddressPolicy.isIpv4Mapped(address)) {
            // ::ffff:a.b.c.d/n is the IPv4 network a.b.c.d/(n-96): addresses are compared after
            // IPv4-mapped ones have been unwrapped, so this keeps such an entry meaningful.
            return new Cidr(Arrays.copyOfRange(address, 12, 16), prefix - 96);
        }
        return new Cidr(address, prefix);
    }

    /** {@return a network of {@code address} and {@code prefixLength}} */
    static Cidr of(byte[] address, int prefixLength) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("addresses have 4 or 16 bytes");
        }
        if (prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("invalid prefix length " + prefixLength);
        }
        return new Cidr(address.clone(), prefixLength);
    }

    /** {@return whether {@code address} lies in this network} */
    boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** {@return whether the raw address (4 or 16 bytes) lies in this network} */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(address, prefixLength), network);
    }

    /** {@return whether this is an IPv4 network} */
    boolean isIpv4() {
        return network.length == 4;
    }

    private static byte[] mask(byte[] address, int prefixLength) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefixLength - i * 8));
            out[i] &= (byte) (0xff << (8 - bitsHere));
        }
        return out;
    }

    private static byte[] parseLiteral(String text) {
        if (text.indexOf(':') >= 0) {
            // InetAddress treats any text with a colon as an IPv6 literal and never resolves it.
            // Zone ids (fe80::1%eth0) make no sense in a network and are refused.
            if (text.indexOf('%') >= 0 || text.startsWith("[")) {
                throw new IllegalArgumentException("invalid IPv6 address " + text);
            }
            try {
                byte[] b = InetAddress.getByName(text).getAddress();
                if (b.length == 4) {
                    // Java turns ::ffff:a.b.c.d into an IPv4 address; keep the written form's family.
                    byte[] mapped = new byte[16];
                    mapped[10] = (byte) 0xff;
                    mapped[11] = (byte) 0xff;
                    System.arraycopy(b, 0, mapped, 12, 4);
                    return mapped;
                }
                return b;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("invalid IPv6 address " + text, e);
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("invalid IPv4 address " + text);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("invalid IPv4 address " + text);
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("invalid IPv4 address " + text);
            }
            b[i] = (byte) v;
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** {@return the network in canonical CIDR notation} */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress().toLowerCase(Locale.ROOT) + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
