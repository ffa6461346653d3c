package io.brizo.internal.auth;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Ethereum personal-sign (EIP-191 version 0x45) signatures in the two forms Brizo clients use.
 *
 * <ul>
 *   <li><b>Brizo form</b>: the signed message is the UTF-8 text itself.
 *   <li><b>Nonce form</b> (Ocean Provider): the signed message is the 32-byte
 *       {@code keccak256(utf8(text + decimalNonce))}.
 * </ul>
 *
 * <p>Recovery never lets a web3j or Bouncy Castle exception escape: malformed signatures raise
 * {@link ErrorKind#INVALID_REQUEST}, well-formed ones that name no public key raise {@link
 * ErrorKind#UNAUTHENTICATED}. Addresses are returned as lowercase {@code 0x} hex. Exception
 * messages never contain the signature or a key.
 */
public final class Eip191 {
    private static final byte[] PREFIX = "\u0019Ethereum Signed Message:\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SIGNATURE_BYTES = 65;
    private static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();

    /**
     * Brizo-form signatures are not single-use: a consumer sends the same one with every request
     * of an agreement (each range of a file, each retry), and recovering the key costs far more
     * than serving a small range. Recovery is a pure function of text and signature, so its
     * results are kept; the map is emptied when it reaches its bound, so a flood of distinct
     * signatures costs what it would without it and no more memory.
     */
    private static final int RECOVERED_MAX = 4096;

    private static final Map<Signed, String> RECOVERED = new ConcurrentHashMap<>();

    private record Signed(String text, String signatureHex) {}

    private Eip191() {}

    /** {@return the lowercase {@code 0x} address that signed {@code text} in the Brizo form} */
    public static String recoverBrizoForm(String text, String signatureHex) {
        Objects.requireNonNull(text, "text");
        Signed key = new Signed(text, signatureHex);
        String address = signatureHex == null ? null : RECOVERED.get(key);
        if (address == null) {
            address = recover(text.getBytes(StandardCharsets.UTF_8), signatureHex);
            if (RECOVERED.size() >= RECOVERED_MAX) {
                RECOVERED.clear();
            }
            RECOVERED.put(key, address);
        }
        return address;
    }

    /** {@return the lowercase {@code 0x} address that signed {@code text} and {@code nonce} in the nonce form} */
    public static String recoverNonceForm(String text, long nonce, String signatureHex) {
        return recover(nonceDigest(text, nonce), signatureHex);
    }

    /**
     * {@return the lowercase {@code 0x} address that personal-signed the raw {@code message}}
     *
     * @throws BrizoException {@link ErrorKind#INVALID_REQUEST} if the signature is not 65 bytes of
     *     hex with v in {27, 28, 0, 1}; {@link ErrorKind#UNAUTHENTICATED} if it recovers no key
     */
    public static String recover(byte[] message, String signatureHex) {
        Objects.requireNonNull(message, "message");
        byte[] sig = parseSignature(signatureHex);
        int v = sig[64] & 0xff;
        int recId =
                switch (v) {
                    case 0, 27 -> 0;
                    case 1, 28 -> 1;
                    default ->
                        throw BrizoException.invalid(
                                "signature has an invalid recovery byte v=" + v + "; expected 27, 28, 0 or 1");
                };
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        // ecrecover is only defined for 0 < r, s < n; outside that web3j asserts or computes garbage
        if (!inScalarRange(r) || !inScalarRange(s)) {
            throw doesNotRecover(null);
        }
        BigInteger publicKey;
        try {
            publicKey = Sign.recoverFromSignature(recId, new ECDSASignature(r, s), prefixedHash(message));
        } catch (RuntimeException e) {
            // e.g. r is not the x-coordinate of a curve point
            throw doesNotRecover(e);
        }
        if (publicKey == null) {
            throw doesNotRecover(null);
        }
        return "0x" + Keys.getAddress(publicKey);
    }

    /** {@return the Brizo-form signature of {@code text} by {@code key}, as {@code 0x} hex with v = 27 or 28} */
    public static String signBrizoForm(String text, ECKeyPair key) {
        Objects.requireNonNull(text, "text");
        return sign(text.getBytes(StandardCharsets.UTF_8), key);
    }

    /** {@return the nonce-form signature of {@code text} and {@code nonce} by {@code key}, as {@code 0x} hex with v = 27 or 28} */
    public static String signNonceForm(String text, long nonce, ECKeyPair key) {
        return sign(nonceDigest(text, nonce), key);
    }

    /** {@return the personal-sign signature of the raw {@code message} by {@code key}, as {@code 0x} hex with v = 27 or 28} */
    public static String sign(byte[] message, ECKeyPair key) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(key, "key");
        Sign.SignatureData data = Sign.signPrefixedMessage(message, key);
        byte[] out = new byte[SIGNATURE_BYTES];
        System.arraycopy(data.getR(), 0, out, 0, 32);
        System.arraycopy(data.getS(), 0, out, 32, 32);
        out[64] = data.getV()[0];
        return Numeric.toHexString(out);
    }

    /** {@return the lowercase {@code 0x} address of {@code key}} */
    public static String addressOf(ECKeyPair key) {
        return "0x" + Keys.getAddress(Objects.requireNonNull(key, "key"));
    }

    /**
     * {@return the key pair of a private key given as 32 bytes of hex, with or without {@code 0x}}
     *
     * @throws BrizoException {@link ErrorKind#CONFIGURATION} if it is not 64 hex digits or not a
     *     valid secp256k1 scalar; the message never repeats the key
     */
    public static ECKeyPair keyPairOf(String privateKeyHex) {
        byte[] bytes = parseHex(privateKeyHex, 32);
        if (bytes == null) {
            throw BrizoException.configuration("private key must be 32 bytes of hex (64 digits, optional 0x)");
        }
        BigInteger d = new BigInteger(1, bytes);
        if (!inScalarRange(d)) {
            throw BrizoException.configuration(
                    "private key is not a valid secp256k1 key (zero or not below the curve order)");
        }
        return ECKeyPair.create(d);
    }

    /** {@return the lowercase {@code 0x} address of a private key given as hex; see {@link #keyPairOf}} */
    public static String addressOfPrivateKey(String privateKeyHex) {
        return addressOf(keyPairOf(privateKeyHex));
    }

    /**
     * {@return {@code address} as lowercase {@code 0x} hex}
     *
     * @throws BrizoException {@link ErrorKind#INVALID_REQUEST} unless it is 20 bytes of hex, with or
     *     without {@code 0x}; mixed case is accepted without an EIP-55 check, as Brizo did
     */
    public static String normaliseAddress(String address) {
        if (parseHex(address, 20) == null) {
            throw BrizoException.invalid("consumerAddress must be 20 bytes of hex (0x followed by 40 hex digits)");
        }
        return "0x" + stripPrefix(address).toLowerCase(Locale.ROOT);
    }

    /** {@return {@code keccak256(utf8(text + nonce))}, the message that the nonce form personal-signs} */
    static byte[] nonceDigest(String text, long nonce) {
        Objects.requireNonNull(text, "text");
        return Hash.sha3((text + nonce).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] prefixedHash(byte[] message) {
        byte[] length = Integer.toString(message.length).getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[PREFIX.length + length.length + message.length];
        System.arraycopy(PREFIX, 0, all, 0, PREFIX.length);
        System.arraycopy(length, 0, all, PREFIX.length, length.length);
        System.arraycopy(message, 0, all, PREFIX.length + length.length, message.length);
        return Hash.sha3(all);
    }

    private static byte[] parseSignature(String signatureHex) {
        if (signatureHex == null || signatureHex.isEmpty()) {
            throw BrizoException.invalid("signature is missing");
        }
        byte[] sig = parseHex(signatureHex, SIGNATURE_BYTES);
        if (sig == null) {
            throw BrizoException.invalid("signature must be 65 bytes of hex (130 hex digits, optional 0x)");
        }
        return sig;
    }

    /** {@return the bytes of {@code hex} if it is exactly {@code length} bytes of hex with optional 0x, else null} */
    private static byte[] parseHex(String hex, int length) {
        if (hex == null) {
            return null;
        }
        String digits = stripPrefix(hex);
        if (digits.length() != 2 * length) {
            return null;
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            // Character.digit also accepts non-ASCII digits, which are not hex here
            int hi = hexValue(digits.charAt(2 * i));
            int lo = hexValue(digits.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String stripPrefix(String hex) {
        return hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    }

    private static boolean inScalarRange(BigInteger x) {
        return x.signum() > 0 && x.compareTo(CURVE_ORDER) < 0;
    }

    private static BrizoException doesNotRecover(Throwable cause) {
        return new BrizoException(ErrorKind.UNAUTHENTICATED, "signature does not correspond to any public key", cause);
    }
}
