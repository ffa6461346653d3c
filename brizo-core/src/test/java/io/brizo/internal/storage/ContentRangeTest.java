package io.brizo.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ContentRangeTest {
    @Test
    void satisfiedRangeWithCompleteLengthIsParsed() {
        assertEquals(new ContentRange(0, 9, 100), ContentRange.parse("bytes 0-9/100"));
        assertEquals(new ContentRange(99, 99, 100), ContentRange.parse(" bytes 99-99/100 "));
    }

    @Test
    void unknownCompleteLengthIsMinusOne() {
        assertEquals(new ContentRange(5, 9, -1), ContentRange.parse("bytes 5-9/*"));
    }

    @Test
    void unsatisfiedRangeCarriesOnlyTheLength() {
        assertEquals(new ContentRange(-1, -1, 0), ContentRange.parse("bytes */0"));
        assertEquals(new ContentRange(-1, -1, 1000), ContentRange.parse("bytes */1000"));
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
            assertNull(ContentRange.parse(bad), String.valueOf(bad));
        }
    }
}
