package io.brizo.storage.ipfs;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A decoded dag-pb block ({@code PBNode}): links to other blocks and an optional data field,
 * which for UnixFS holds a {@link UnixFsData} message. Immutable.
 *
 * <pre>
 * message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
 * message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }
 * </pre>
 *
 * <p>Decoding follows the dag-pb spec's strictness where it matters for safety: unknown fields,
 * wrong wire types, a link without a hash, a repeated data field and names that are not UTF-8
 * are refused. The canonical order (links before data) is not demanded: the bytes are already
 * verified against their hash, and some encoders (Helia's {@code data-first}) write data first.
 *
 * @param links the links, in order
 * @param data the data field, if present
 */
record DagPbNode(List<Link> links, Optional<byte[]> data) {
    DagPbNode {
        links = List.copyOf(links);
        data = data.map(byte[]::clone);
    }

    /**
     * One link of a dag-pb node.
     *
     * @param cid the linked block
     * @param name the link's name: a directory entry's name, empty for file chunks
     * @param tsize the total size of the linked DAG as the encoder claimed it, or -1; a hint only
     */
    record Link(Cid cid, String name, long tsize) {}

    /** {@return the data field, a copy} */
    @Override
    public Optional<byte[]> data() {
        return data.map(byte[]::clone);
    }

    /**
     * {@return the node encoded in {@code block}}
     *
     * @throws MalformedDataException if the block is not valid dag-pb
     */
    static DagPbNode decode(byte[] block) {
        ByteCursor in = new ByteCursor(block);
        List<Link> links = new ArrayList<>();
        byte[] data = null;
        while (in.hasRemaining()) {
            Protobuf.Key key = Protobuf.readKey(in);
            switch (key.field()) {
                case 1 -> {
                    Protobuf.expect(key, Protobuf.LENGTH_DELIMITED, "the dag-pb Data field");
                    if (data != null) {
                        throw new MalformedDataException("a dag-pb node with two Data fields");
                    }
                    ByteCursor d = Protobuf.readLengthDelimited(in);
                    data = d.readBytes(d.remaining());
                }
                case 2 -> {
                    Protobuf.expect(key, Protobuf.LENGTH_DELIMITED, "a dag-pb link");
                    links.add(readLink(Protobuf.readLengthDelimited(in)));
                }
                default -> throw new MalformedDataException("a dag-pb node with an unknown field");
            }
        }
        return new DagPbNode(links, Optional.ofNullable(data));
    }

    private static Link readLink(ByteCursor in) {
        Cid cid = null;
        String name = null;
        long tsize = -1;
        while (in.hasRemaining()) {
            Protobuf.Key key = Protobuf.readKey(in);
            switch (key.field()) {
                case 1 -> {
                    Protobuf.expect(key, Protobuf.LENGTH_DELIMITED, "a dag-pb link's Hash");
                    if (cid != null) {
                        throw new MalformedDataException("a dag-pb link with two hashes");
                    }
                    ByteCursor c = Protobuf.readLengthDelimited(in);
                    cid = Cid.read(c);
                    if (c.hasRemaining()) {
                        throw new MalformedDataException("bytes after the CID of a dag-pb link");
                    }
                }
                case 2 -> {
                    Protobuf.expect(key, Protobuf.LENGTH_DELIMITED, "a dag-pb link's Name");
                    if (name != null) {
                        throw new MalformedDataException("a dag-pb link with two names");
                    }
                    ByteCursor n = Protobuf.readLengthDelimited(in);
                    name = utf8(n.readBytes(n.remaining()));
                }
                case 3 -> {
                    Protobuf.expect(key, Protobuf.VARINT, "a dag-pb link's Tsize");
                    tsize = Varint.readProtobuf(in);
                }
                default -> throw new MalformedDataException("a dag-pb link with an unknown field");
            }
        }
        if (cid == null) {
            throw new MalformedDataException("a dag-pb link without a hash");
        }
        return new Link(cid, name == null ? "" : name, tsize);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedDataException("a dag-pb link name that is not UTF-8");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DagPbNode n
                && n.links.equals(links)
                && n.data.isPresent() == data.isPresent()
                && (data.isEmpty() || java.util.Arrays.equals(n.data.get(), data.get()));
    }

    @Override
    public int hashCode() {
        return links.hashCode() * 31 + data.map(java.util.Arrays::hashCode).orElse(0);
    }

    @Override
    public String toString() {
        return "DagPbNode{links=" + links.size() + ", data="
                + data.map(d -> d.length + " bytes").orElse("none") + "}";
    }
}
