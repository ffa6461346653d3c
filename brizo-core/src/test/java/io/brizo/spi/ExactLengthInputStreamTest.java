package io.brizo.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExactLengthInputStreamTest {
    @Test
    void yieldsExactlyTheLengthAndThenEnds() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}), 3);
        assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
        assertEquals(-1, in.read());
    }

    @Test
    void underlyingStreamEndingEarlyIsAnError() {
        InputStream bulk = new ExactLengthInputStream(new ByteArrayInputStream(new byte[5]), 10);
        EOFException e = assertThrows(EOFException.class, bulk::readAllBytes);
        assertTrue(e.getMessage().contains("5 of 10"), e.getMessage());
        InputStream single = new ExactLengthInputStream(new ByteArrayInputStream(new byte[0]), 1);
        assertThrows(EOFException.class, single::read);
    }

    @Test
    void readingAfterCloseAlwaysThrows() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[10]), 10);
        in.close();
        assertThrows(IOException.class, in::read);
        assertThrows(IOException.class, () -> in.read(new byte[4]));
        assertThrows(IOException.class, () -> in.skip(1));
        in.close();
    }

    @Test
    void closeClosesTheUnderlyingStreamOnce() throws IOException {
        AtomicInteger closes = new AtomicInteger();
        InputStream source = new ByteArrayInputStream(new byte[1]) {
            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        InputStream in = new ExactLengthInputStream(source, 1);
        in.close();
        in.close();
        assertEquals(1, closes.get());
    }

    @Test
    void skipStopsAtTheLength() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[10]), 4);
        assertEquals(4, in.skip(100));
        assertEquals(-1, in.read());
    }

    @Test
    void zeroLengthReadReturnsZero() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[1]), 1);
        assertEquals(0, in.read(new byte[4], 0, 0));
    }
}
