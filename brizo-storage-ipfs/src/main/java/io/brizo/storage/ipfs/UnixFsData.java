package io.brizo.storage.ipfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A decoded UnixFS {@code Data} message, the payload of a dag-pb node's data field. Immutable.
 *
 * <pre>
 * message Data {
 *   enum DataType { Raw = 0; Directory = 1; File = 2; Metadata = 3; Symlink = 4; HAMTShard = 5; }
 *   required DataType Type = 1;  optional bytes Data = 2;  optional uint64 filesize = 3;
 *   repeated uint64 blocksizes = 4;  optional uint64 hashType = 5;  optional uint64 fanout = 6;
 *   optional uint32 mode = 7;  optional UnixTime mtime = 8;
 * }
 * </pre>
 *
 * <p>Fields this driver does not use (mode, mtime, and any newer ones) are skipped.
 *
 * @param type the node type
 * @param data this node's own bytes of the file (or a HAMT shard's bitfield), empty if absent
 * @param fileSize the {@code filesize} field, if present
 * @param blockSizes the content size of each child, in link order
 * @param hashType a HAMT shard's hash function code, if present
 * @param fanout a HAMT shard's fanout, if present
 */
record UnixFsData(
        Type type,
        byte[] data,
        Optional<Long> fileSize,
        List<Long> blockSizes,
        Optional<Long> hashType,
        Optional<Long> fanout) {

    /** UnixFS node types. */
    enum Type {
        RAW,
        DIRECTORY,
        FILE,
        METADATA,
        SYMLINK,
        HAMT_SHARD
    }

    UnixFsData {
        data = data.clone();
        blockSizes = List.copyOf(blockSizes);
    }

    /** {@return this node's own bytes, a copy} */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** {@return the number of this node's own bytes} */
    int dataLength() {
        return data.length;
    }

    /**
     * {@return the message encoded in {@code bytes}}
     *
     * @throws MalformedDataException if the bytes are not a UnixFS Data message
     */
    static UnixFsData decode(byte[] bytes) {
        ByteCursor in = new ByteCursor(bytes);
        Type type = null;
        byte[] data = new byte[0];
        Long fileSize = null;
        List<Long> blockSizes = new ArrayList<>();
        Long hashType = null;
        Long fanout = null;
        while (in.hasRemaining()) {
            Protobuf.Key key = Protobuf.readKey(in);
            switch (key.field()) {
                case 1 -> {
                    Protobuf.expect(key, Protobuf.VARINT, "the UnixFS Type");
                    long t = Varint.readProtobuf(in);
                    if (t < 0 || t >= Type.values().length) {
                        throw new MalformedDataException("an unknown UnixFS node type");
                    }
                    type = Type.values()[(int) t];
                }
                case 2 -> {
                    Protobuf.expect(key, Protobuf.LENGTH_DELIMITED, "the UnixFS Data");
                    ByteCursor d = Protobuf.readLengthDelimited(in);
                    data = d.readBytes(d.remaining());
                }
                case 3 -> {
                    Protobuf.expect(key, Protobuf.VARINT, "the UnixFS filesize");
                    fileSize = nonNegative(Varint.readProtobuf(in), "filesize");
                }
                case 4 -> {
                    // Repeated scalars may be written one per key or packed into one field.
                    if (key.wireType() == Protobuf.LENGTH_DELIMITED) {
                        ByteCursor packed = Protobuf.readLengthDelimited(in);
                        while (packed.hasRemaining()) {
                            blockSizes.add(nonNegative(Varint.readProtobuf(packed), "blocksizes"));
                        }
                    } else {
                        Protobuf.expect(key, Protobuf.VARINT, "the UnixFS blocksizes");
                        blockSizes.add(nonNegative(Varint.readProtobuf(in), "blocksizes"));
                    }
                }
                case 5 -> {
                    Protobuf.expect(key, Protobuf.VARINT, "the UnixFS hashType");
                    hashType = Varint.readProtobuf(in);
                }
                case 6 -> {
                    Protobuf.expect(key, Protobuf.VARINT, "the UnixFS fanout");
                    fanout = Varint.readProtobuf(in);
                }
                default -> Protobuf.skip(in, key.wireType());
            }
        }
        if (type == null) {
            throw new MalformedDataException("a UnixFS node without a type");
        }
        return new UnixFsData(
                type,
                data,
                Optional.ofNullable(fileSize),
                blockSizes,
                Optional.ofNullable(hashType),
                Optional.ofNullable(fanout));
    }

    private static long nonNegative(long value, String field) {
        // uint64 values past 2^63 are no real size; as Java longs they would be negative.
        if (value < 0) {
            throw new MalformedDataException("a UnixFS " + field + " value too large to be real");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixFsData u
                && u.type == type
                && java.util.Arrays.equals(u.data, data)
                && u.fileSize.equals(fileSize)
                && u.blockSizes.equals(blockSizes)
                && u.hashType.equals(hashType)
                && u.fanout.equals(fanout);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, java.util.Arrays.hashCode(data), fileSize, blockSizes, hashType, fanout);
    }

    @Override
    public String toString() {
        return "UnixFsData{type=" + type + ", data=" + data.length + " bytes, fileSize=" + fileSize + ", blockSizes="
                + blockSizes.size() + "}";
    }
}
