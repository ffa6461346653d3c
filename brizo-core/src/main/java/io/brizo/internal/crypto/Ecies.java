package io.brizo.internal.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.ECPoint;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

/**
 * ECIES over secp256k1 in the format of {@code eciespy} / {@code eciesjs} with their default
 * configuration, which Ocean Provider uses to encrypt file lists to a provider's key, byte for
 * byte:
 *
 * <pre>
 *   ciphertext = ephemeral public key (65 bytes, uncompressed, 0x04 || x || y)
 *             || nonce (16 bytes) || tag (16 bytes) || AES-256-GCM encrypted data
 *   key        = HKDF-SHA256(ikm = ephemeral public key (65 bytes, uncompressed)
 *                              || shared point (65 bytes, uncompressed),
 *                            salt = none (32 zero bytes, as RFC 5869 says), info = empty, 32 bytes)
 *   shared point = receiver's public key * ephemeral private key  (= ephemeral public key * receiver's private key)
 * </pre>
 *
 * No associated data. The JDK's AES/GCM takes the 16-byte nonce as its IV (GCM hashes IVs that
 * are not 12 bytes long, as pycryptodome and noble-ciphers do). Elliptic curve arithmetic is
 * Bouncy Castle's, through web3j.
 *
 * <p>Failures raise {@link EciesException}, whose messages never contain plaintext or key
 * material.
 */
public final class Ecies {
    /** Bytes of an uncompressed secp256k1 public key. */
    public static final int PUBLIC_KEY_BYTES = 65;
    /** Bytes of the AES-GCM nonce (eciespy's and eciesjs's default). */
    public static final int NONCE_BYTES = 16;
    /** Bytes of the AES-GCM tag. */
    public static final int TAG_BYTES = 16;
    /** The shortest ciphertext: an empty message. */
    public static final int OVERHEAD = PUBLIC_KEY_BYTES + NONCE_BYTES + TAG_BYTES;

    private static final BigInteger ORDER = Sign.CURVE_PARAMS.getN();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ecies() {}

    /** A ciphertext that cannot be decrypted, or a key that cannot be used. */
    public static final class EciesException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EciesException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * {@return {@code message} encrypted to {@code publicKey}}
     *
     * @param publicKey 65 bytes uncompressed, 33 compressed, or 64 (an Ethereum public key: x || y)
     * @throws EciesException if the key is not a point of secp256k1
     */
    public static byte[] encrypt(byte[] publicKey, byte[] message) {
        Objects.requireNonNull(message, "message");
        ECPoint receiver = point(publicKey);
        BigInteger ephemeral;
        do {
            ephemeral = new BigInteger(256, RANDOM);
        } while (ephemeral.signum() == 0 || ephemeral.compareTo(ORDER) >= 0);
        byte[] ephemeralPublic = Sign.publicPointFromPrivate(ephemeral).getEncoded(false);
        byte[] key = key(ephemeralPublic, receiver.multiply(ephemeral).normalize());
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed; // encrypted data || tag, as the JDK writes them
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            sealed = aes.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        int dataLength = sealed.length - TAG_BYTES;
        byte[] out = new byte[OVERHEAD + dataLength];
        System.arraycopy(ephemeralPublic, 0, out, 0, PUBLIC_KEY_BYTES);
        System.arraycopy(nonce, 0, out, PUBLIC_KEY_BYTES, NONCE_BYTES);
        System.arraycopy(sealed, dataLength, out, PUBLIC_KEY_BYTES + NONCE_BYTES, TAG_BYTES);
        System.arraycopy(sealed, 0, out, OVERHEAD, dataLength);
        return out;
    }

    /** {@return {@code message} encrypted to the public key of {@code receiver}} */
    public static byte[] encrypt(ECKeyPair receiver, byte[] message) {
        return encrypt(publicKey(receiver), message);
    }

    /**
     * {@return the message of {@code ciphertext}, decrypted with {@code privateKey}}
     *
     * @throws EciesException if it is too short, its ephemeral key is not a point of the curve, or
     *     its tag does not verify (tampered, or encrypted to another key)
     */
    public static byte[] decrypt(BigInteger privateKey, byte[] ciphertext) {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (ciphertext.length < OVERHEAD) {
            throw new EciesException("the ciphertext is shorter than " + OVERHEAD + " bytes");
        }
        byte[] ephemeralPublic = Arrays.copyOfRange(ciphertext, 0, PUBLIC_KEY_BYTES);
        if (ephemeralPublic[0] != 0x04) {
            throw new EciesException("the ciphertext does not start with an uncompressed public key");
        }
        ECPoint ephemeral = point(ephemeralPublic);
        byte[] key = key(ephemeralPublic, ephemeral.multiply(privateKey).normalize());
        byte[] nonce = Arrays.copyOfRange(ciphertext, PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES + NONCE_BYTES);
        int dataLength = ciphertext.length - OVERHEAD;
        byte[] sealed = new byte[dataLength + TAG_BYTES];
        System.arraycopy(ciphertext, OVERHEAD, sealed, 0, dataLength);
        System.arraycopy(ciphertext, PUBLIC_KEY_BYTES + NONCE_BYTES, sealed, dataLength, TAG_BYTES);
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            return aes.doFinal(sealed);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new EciesException(
                    "the ciphertext does not decrypt with this key (tampered, or encrypted to another key)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** {@return the message of {@code ciphertext}, decrypted with the private key of {@code receiver}} */
    public static byte[] decrypt(ECKeyPair receiver, byte[] ciphertext) {
        return decrypt(receiver.getPrivateKey(), ciphertext);
    }

    /** {@return the uncompressed 65-byte public key of {@code key}} */
    public static byte[] publicKey(ECKeyPair key) {
        return Sign.publicPointFromPrivate(key.getPrivateKey()).getEncoded(false);
    }

    /** HKDF-SHA256 (RFC 5869) of ephemeral public key || shared point, no salt, no info, 32 bytes. */
    private static byte[] key(byte[] ephemeralPublic, ECPoint shared) {
        if (shared.isInfinity()) {
            throw new EciesException("the shared point is the point at infinity");
        }
        byte[] sharedBytes = shared.getEncoded(false);
        byte[] master = new byte[ephemeralPublic.length + sharedBytes.length];
        System.arraycopy(ephemeralPublic, 0, master, 0, ephemeralPublic.length);
        System.arraycopy(sharedBytes, 0, master, ephemeralPublic.length, sharedBytes.length);
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            // extract: no salt means HashLen zero bytes
            hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            byte[] prk = hmac.doFinal(master);
            // expand: one block, T(1) = HMAC(PRK, info || 0x01) with an empty info
            hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] okm = hmac.doFinal(new byte[] {1});
            Arrays.fill(prk, (byte) 0);
            return okm;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        } finally {
            Arrays.fill(master, (byte) 0);
            Arrays.fill(sharedBytes, (byte) 0);
        }
    }

    private static ECPoint point(byte[] publicKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        byte[] encoded = publicKey;
        if (publicKey.length == 64) {
            encoded = new byte[65];
            encoded[0] = 0x04;
            System.arraycopy(publicKey, 0, encoded, 1, 64);
        }
        if (encoded.length != 65 && encoded.length != 33) {
            throw new EciesException("a public key is 65 bytes (uncompressed), 33 (compressed) or 64 (Ethereum)");
        }
        ECPoint p;
        try {
            p = Sign.CURVE_PARAMS.getCurve().decodePoint(encoded);
        } catch (RuntimeException e) {
            throw new EciesException("the public key is not a point of secp256k1");
        }
        if (p.isInfinity() || !p.isValid()) {
            throw new EciesException("the public key is not a point of secp256k1");
        }
        return p;
    }
}
