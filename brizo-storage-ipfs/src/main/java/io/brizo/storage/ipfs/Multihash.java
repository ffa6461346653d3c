package io.brizo.storage.ipfs;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A self-describing hash: the hash function's code, then the digest. Immutable.
 *
 * <p>Only the functions this driver can check are verifiable: sha2-256 (what kubo, Helia and
 * every public gateway use) and identity (the "digest" is the data itself, used for tiny
 * blocks). Any other function is parsed, so that a CID using one can be reported, but never
 * trusted.
 *
 * @param code the multicodec code of the hash function
 * @param digest the digest bytes
 */
record Multihash(long code, byte[] digest) {
    /** The multicodec code of sha2-256. */
    static final long SHA2_256 = 0x12;
    /** The multicodec code of the identity "hash". */
    static final long IDENTITY = 0x00;

    // Identity CIDs carry their data inline; anything long belongs in a real block.
    static final int MAX_IDENTITY_LENGTH = 128;

    Multihash {
        digest = digest.clone();
    }

    /** {@return the multihash at the cursor: code, length and digest} */
    static Multihash read(ByteCursor in) {
        long code = Varint.readUnsigned(in);
        long length = Varint.readUnsigned(in);
        if (code == SHA2_256 && length != 32) {
            throw new MalformedDataException("a sha2-256 multihash whose digest is not 32 bytes");
        }
        if (length > (code == IDENTITY ? MAX_IDENTITY_LENGTH : 64)) {
            throw new MalformedDataException("a multihash digest longer than this driver accepts");
        }
        return new Multihash(code, in.readBytes((int) length));
    }

    /** {@return the digest, a copy} */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** {@return whether this driver can verify data against this multihash} */
    boolean isVerifiable() {
        return code == SHA2_256 || code == IDENTITY;
    }

    /**
     * {@return whether {@code data} hashes to this multihash}
     *
     * @throws IllegalStateException if the function is not {@linkplain #isVerifiable() verifiable}
     */
    boolean matches(byte[] data) {
        if (code == SHA2_256) {
            return MessageDigest.isEqual(digest, sha256(data));
        }
        if (code == IDENTITY) {
            return MessageDigest.isEqual(digest, data);
        }
        throw new IllegalStateException("hash function 0x" + Long.toHexString(code) + " cannot be verified");
    }

    /** {@return the binary multihash: varint code, varint length, digest} */
    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(digest.length + 4);
        out.writeBytes(Varint.encode(code));
        out.writeBytes(Varint.encode(digest.length));
        out.writeBytes(digest);
        return out.toByteArray();
    }

    /** {@return the sha2-256 multihash of {@code data}} */
    static Multihash sha256Of(byte[] data) {
        return new Multihash(SHA2_256, sha256(data));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(code) + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "Multihash{code=0x" + Long.toHexString(code) + ", length=" + digest.length + "}";
    }
}
