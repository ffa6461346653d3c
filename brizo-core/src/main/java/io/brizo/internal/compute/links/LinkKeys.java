package io.brizo.internal.compute.links;

import io.brizo.spi.Settings;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that seal link tokens (AES-GCM, authenticated): the first seals, every one is
 * tried to open, so a new key is rolled out first in second place, then first, and the old one
 * removed once the links it sealed have expired. Thread-safe.
 */
public final class LinkKeys {
    /** The setting: comma-separated 32-byte keys, base64 or hex. */
    public static final String SETTING = "BRIZO_LINK_KEYS";

    private static final Pattern HEX = Pattern.compile("(0x)?[0-9a-fA-F]{64}");
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD = "brizo-link-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final List<SecretKey> keys;
    private final boolean random;
    private final SecureRandom rng = new SecureRandom();

    private LinkKeys(List<SecretKey> keys, boolean random) {
        this.keys = List.copyOf(keys);
        this.random = random;
    }

    /** {@return one random key of this process: links die with it} */
    public static LinkKeys random() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new LinkKeys(List.of(new SecretKeySpec(k, "AES")), true);
    }

    /** {@return the keys of {@code BRIZO_LINK_KEYS}, or empty if it is not set} */
    public static Optional<LinkKeys> from(Settings settings) {
        return settings.get(SETTING).map(value -> {
            List<SecretKey> keys = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                byte[] k = decode(part.trim());
                if (k == null || k.length != 32) {
                    throw settings.malformed(
                            SETTING,
                            "a comma-separated list of 32-byte keys, each base64 or 64 hex digits (make one with"
                                    + " `openssl rand -base64 32`)");
                }
                keys.add(new SecretKeySpec(k, "AES"));
            }
            return new LinkKeys(keys, false);
        });
    }

    /** {@return the keys {@code raw}, first sealing; for tests and embedding} */
    public static LinkKeys of(List<byte[]> raw) {
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("at least one key");
        }
        List<SecretKey> keys = new ArrayList<>();
        for (byte[] k : raw) {
            if (k.length != 32) {
                throw new IllegalArgumentException("a link key has 32 bytes");
            }
            keys.add(new SecretKeySpec(k.clone(), "AES"));
        }
        return new LinkKeys(keys, false);
    }

    private static byte[] decode(String s) {
        if (s.isEmpty()) {
            return null;
        }
        if (HEX.matcher(s).matches()) {
            return HexFormat.of().parseHex(s.startsWith("0x") ? s.substring(2) : s);
        }
        try {
            return s.contains("-") || s.contains("_")
                    ? Base64.getUrlDecoder().decode(s)
                    : Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@return whether these are a random key of this process rather than configured ones} */
    public boolean isRandom() {
        return random;
    }

    /** {@return {@code plain} sealed under the first key: IV, then ciphertext and tag} */
    byte[] seal(byte[] plain) {
        byte[] iv = new byte[IV_BYTES];
        rng.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(0), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(AAD);
            byte[] sealed = c.doFinal(plain);
            return ByteBuffer.allocate(IV_BYTES + sealed.length)
                    .put(iv)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** {@return what {@link #seal} sealed under one of the keys, or empty if none opens it} */
    Optional<byte[]> open(byte[] sealed) {
        if (sealed.length < IV_BYTES + TAG_BITS / 8) {
            return Optional.empty();
        }
        for (SecretKey key : keys) {
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
                c.updateAAD(AAD);
                return Optional.of(c.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES));
            } catch (javax.crypto.AEADBadTagException wrongKeyOrTampered) {
                // try the next key
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available", e);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "LinkKeys[" + keys.size() + (random ? ", random" : "") + "]";
    }
}
