package io.brizo.storage.ipfs;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The two multibase encodings CIDs are written in: base58btc (CIDv0, and CIDv1 with prefix
 * {@code z}) and RFC 4648 base32 without padding (CIDv1 with prefix {@code b} lower case or
 * {@code B} upper case). Decoders are strict: a character outside the alphabet, or base32 bits
 * left over that are not zero, is an error rather than silently dropped, so that one CID has one
 * text form per base.
 */
final class Multibase {
    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final BigInteger FIFTY_EIGHT = BigInteger.valueOf(58);
    private static final int[] BASE58_INDEX = index(BASE58, false);
    private static final int[] BASE32_INDEX = index(BASE32, true);

    // A CID is at most a few dozen bytes; refusing long inputs keeps the quadratic base58
    // arithmetic cheap whatever an asset's metadata holds.
    static final int MAX_TEXT_LENGTH = 512;

    private Multibase() {}

    /**
     * {@return the bytes of a multibase string with prefix {@code z}, {@code b} or {@code B}}
     *
     * @throws MalformedDataException for another prefix or a character outside the base
     */
    static byte[] decode(String text) {
        if (text.isEmpty()) {
            throw new MalformedDataException("an empty multibase string");
        }
        String body = text.substring(1);
        return switch (text.charAt(0)) {
            case 'z' -> decodeBase58(body);
            case 'b', 'B' -> decodeBase32(body);
            default -> throw new MalformedDataException("unsupported multibase prefix (only base58btc and base32)");
        };
    }

    /** {@return {@code bytes} in base58btc (Bitcoin's alphabet), without a multibase prefix} */
    static String encodeBase58(byte[] bytes) {
        int zeros = 0;
        while (zeros < bytes.length && bytes[zeros] == 0) {
            zeros++;
        }
        StringBuilder sb = new StringBuilder();
        BigInteger n = new BigInteger(1, bytes);
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(FIFTY_EIGHT);
            sb.append(BASE58.charAt(qr[1].intValue()));
            n = qr[0];
        }
        sb.append("1".repeat(zeros));
        return sb.reverse().toString();
    }

    /** {@return the bytes of base58btc text without a multibase prefix} */
    static byte[] decodeBase58(String text) {
        checkLength(text);
        int zeros = 0;
        while (zeros < text.length() && text.charAt(zeros) == '1') {
            zeros++;
        }
        BigInteger n = BigInteger.ZERO;
        for (int i = zeros; i < text.length(); i++) {
            int digit = digit(BASE58_INDEX, text.charAt(i));
            if (digit < 0) {
                throw new MalformedDataException("a character outside the base58btc alphabet");
            }
            n = n.multiply(FIFTY_EIGHT).add(BigInteger.valueOf(digit));
        }
        byte[] magnitude = n.signum() == 0 ? new byte[0] : n.toByteArray();
        // BigInteger adds a sign byte when the top bit is set; it is not part of the value.
        if (magnitude.length > 1 && magnitude[0] == 0) {
            magnitude = Arrays.copyOfRange(magnitude, 1, magnitude.length);
        }
        byte[] out = new byte[zeros + magnitude.length];
        System.arraycopy(magnitude, 0, out, zeros, magnitude.length);
        return out;
    }

    /** {@return {@code bytes} in lower-case RFC 4648 base32 without padding or prefix} */
    static String encodeBase32(byte[] bytes) {
        StringBuilder sb = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(BASE32.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    /** {@return the bytes of RFC 4648 base32 text (either case, no padding, no prefix)} */
    static byte[] decodeBase32(String text) {
        checkLength(text);
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = digit(BASE32_INDEX, text.charAt(i));
            if (digit < 0) {
                throw new MalformedDataException("a character outside the base32 alphabet");
            }
            buffer = (buffer << 5) | digit;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
            buffer &= (1 << bits) - 1;
        }
        // Leftover bits are padding; RFC 4648 says they are zero, and a CID must not have two forms.
        if (bits >= 5 || buffer != 0) {
            throw new MalformedDataException("base32 text with a partial trailing character");
        }
        return out.toByteArray();
    }

    private static void checkLength(String text) {
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new MalformedDataException("a multibase string longer than " + MAX_TEXT_LENGTH + " characters");
        }
    }

    private static int digit(int[] index, char c) {
        return c < index.length ? index[c] : -1;
    }

    private static int[] index(String alphabet, boolean ignoreCase) {
        int[] index = new int[128];
        Arrays.fill(index, -1);
        for (int i = 0; i < alphabet.length(); i++) {
            char c = alphabet.charAt(i);
            index[c] = i;
            if (ignoreCase) {
                index[Character.toUpperCase(c)] = i;
            }
        }
        return index;
    }
}
