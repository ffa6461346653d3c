package io.brizo.http;

import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory mappings of small local files, kept across downloads: a download of a mapped file is
 * one write from the page cache to the connection, where a copy through a buffer costs a read
 * and a write per chunk and is what held whole-file throughput to half of nginx's. A mapping is
 * reused only for an equal {@linkplain StorageObject.LocalFile#version() version}; evicted ones
 * are unmapped by the garbage collector once no write holds them, so a write in flight never
 * loses its memory.
 */
final class MappedFiles {
    /** Larger files are streamed: their cost is the bytes, not the calls per request. */
    static final long MAX_FILE = 16L << 20;

    private static final int MAX_ENTRIES = 256;
    private static final long MAX_BYTES = 1L << 30;

    private final Map<String, MappedByteBuffer> mappings = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /**
     * {@return the bytes {@code offset} to {@code offset + length} of the file as a read-only
     * buffer of their own, or null when the file is too large to map}
     */
    ByteBuffer slice(StorageObject.LocalFile file, long size, long offset, long length) throws IOException {
        if (size > MAX_FILE || size == 0) {
            return null;
        }
        MappedByteBuffer whole;
        synchronized (this) {
            whole = mappings.get(file.version());
        }
        if (whole == null || whole.capacity() != size) {
            // Mapped outside the lock: two first downloads may both map, and one mapping stays.
            whole = file.channel().map(FileChannel.MapMode.READ_ONLY, 0, size);
            put(file.version(), whole);
        }
        return whole.slice((int) offset, (int) length).asReadOnlyBuffer();
    }

    private synchronized void put(String version, MappedByteBuffer mapping) {
        MappedByteBuffer old = mappings.put(version, mapping);
        bytes += mapping.capacity() - (old == null ? 0 : old.capacity());
        Iterator<MappedByteBuffer> eldest = mappings.values().iterator();
        while ((mappings.size() > MAX_ENTRIES || bytes > MAX_BYTES) && eldest.hasNext()) {
            MappedByteBuffer e = eldest.next();
            if (e == mapping) {
                break;
            }
            bytes -= e.capacity();
            eldest.remove();
        }
    }
}
