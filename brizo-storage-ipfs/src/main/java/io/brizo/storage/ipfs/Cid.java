package io.brizo.storage.ipfs;

import java.io.ByteArrayOutputStream;

/**
 * A content identifier: version, content codec and multihash. Immutable.
 *
 * <p>CIDv0 is a bare base58btc sha2-256 multihash ({@code Qm...}) and always means dag-pb.
 * CIDv1 is {@code <multibase prefix><varint 1><varint codec><multihash>}, here in base58btc
 * ({@code z...}) or base32 ({@code b...}, {@code B...}). Inside dag-pb links CIDs are binary,
 * read by {@link #read(ByteCursor)}.
 *
 * <p>{@link #toString()} gives the canonical text (base58btc for v0, lower-case base32 for v1),
 * which is what the driver asks the gateway for. A CID names content the consumer paid for, so it
 * must never appear in an error message or a log line above DEBUG.
 *
 * @param version 0 or 1
 * @param codec the multicodec code of the content's format ({@link #DAG_PB}, {@link #RAW}, ...)
 * @param multihash the content's hash
 */
record Cid(int version, long codec, Multihash multihash) {
    /** The multicodec code of dag-pb (UnixFS nodes). */
    static final long DAG_PB = 0x70;
    /** The multicodec code of raw bytes (UnixFS raw leaves). */
    static final long RAW = 0x55;

    Cid {
        if (version != 0 && version != 1) {
            throw new IllegalArgumentException("CID version must be 0 or 1");
        }
        if (version == 0 && (codec != DAG_PB || multihash.code() != Multihash.SHA2_256)) {
            throw new IllegalArgumentException("a CIDv0 is always a dag-pb sha2-256 CID");
        }
    }

    /**
     * {@return the CID written in {@code text}}
     *
     * @throws MalformedDataException if it is not a CIDv0 or a base58btc or base32 CIDv1
     */
    static Cid parse(String text) {
        if (text.length() == 46 && text.startsWith("Qm")) {
            ByteCursor in = new ByteCursor(Multibase.decodeBase58(text));
            Multihash mh = Multihash.read(in);
            if (in.hasRemaining() || mh.code() != Multihash.SHA2_256) {
                throw new MalformedDataException("a CIDv0 that is not a sha2-256 multihash");
            }
            return new Cid(0, DAG_PB, mh);
        }
        byte[] bytes = Multibase.decode(text);
        ByteCursor in = new ByteCursor(bytes);
        Cid cid = read(in);
        if (cid.version() != 1) {
            throw new MalformedDataException("a multibase CID that is not version 1");
        }
        if (in.hasRemaining()) {
            throw new MalformedDataException("bytes after the end of a CID");
        }
        return cid;
    }

    /** {@return the binary CID at the cursor (v0: a sha2-256 multihash; v1: version, codec, multihash)} */
    static Cid read(ByteCursor in) {
        int first = in.hasRemaining() ? in.peekByte() : -1;
        if (first == 0x12) {
            // CIDv0 in binary is the bare multihash 0x12 0x20 <32 bytes>.
            Multihash mh = Multihash.read(in);
            return new Cid(0, DAG_PB, mh);
        }
        long version = Varint.readUnsigned(in);
        if (version != 1) {
            throw new MalformedDataException("unsupported CID version " + version);
        }
        long codec = Varint.readUnsigned(in);
        return new Cid(1, codec, Multihash.read(in));
    }

    /** {@return the binary form, as it appears in dag-pb links} */
    byte[] toBytes() {
        if (version == 0) {
            return multihash.toBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Varint.encode(1));
        out.writeBytes(Varint.encode(codec));
        out.writeBytes(multihash.toBytes());
        return out.toByteArray();
    }

    /** {@return the same content as a CIDv1 (a CIDv0 becomes dag-pb CIDv1; a CIDv1 is itself)} */
    Cid toV1() {
        return version == 1 ? this : new Cid(1, codec, multihash);
    }

    /** {@return the canonical text: base58btc for v0, {@code b} + lower-case base32 for v1} */
    @Override
    public String toString() {
        return version == 0 ? Multibase.encodeBase58(toBytes()) : "b" + Multibase.encodeBase32(toBytes());
    }
}
