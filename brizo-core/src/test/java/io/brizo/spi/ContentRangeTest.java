package io.brizo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ContentRangeTest {
    @Test
    void satisfiedRangeWithCompleteLengthIsParsed() {
        assertEquals(
                new ContentRange(0, 9, 100), ContentRange.parse("bytes 0-9/100").orElseThrow());
        assertEquals(
                new ContentRange(99, 99, 100),
                ContentRange.parse(" bytes 99-99/100 ").orElseThrow());
    }

    @Test
    void unknownCompleteLengthIsMinusOne() {
        assertEquals(
                new ContentRange(5, 9, -1), ContentRange.parse("bytes 5-9/*").orElseThrow());
    }

    @Test
    void unsatisfiedRangeCarriesOnlyTheLength() {
        assertEquals(
                new ContentRange(-1, -1, 0), ContentRange.parse("bytes */0").orElseThrow());
        assertEquals(
                new ContentRange(-1, -1, 1000),
                ContentRange.parse("bytes */1000").orElseThrow());
    }

    @Test
    void malformedOrInconsistentHeadersAreNull() {
        for (String bad : Arrays.asList(
                null,
                "",
                "bytes",
                "bytes 0-9",
                "bytes 9-0/100",
                "bytes 0-100/100",
                "items 0-9/100",
                "bytes=0-9/100",
                "bytes -1-9/100",
                "bytes 0-99999999999999999999/100",
                "bytes */*")) {
            assertTrue(ContentRange.parse(bad).isEmpty(), String.valueOf(bad));
        }
    }
}
