package io.brizo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteRangeTest {
    @Test
    void wholeObjectResolvesToEverything() {
        assertEquals(new ByteRange.Slice(0, 10, 10), ByteRange.all().resolve(10));
        assertEquals(new ByteRange.Slice(0, 0, 0), ByteRange.all().resolve(0));
    }

    @Test
    void closedRangeEndPastTheEndIsClamped() {
        assertEquals(new ByteRange.Slice(5, 5, 10), ByteRange.of(5, 100).resolve(10));
    }

    @Test
    void suffixLongerThanTheObjectIsTheWholeObject() {
        assertEquals(new ByteRange.Slice(0, 10, 10), ByteRange.suffix(50).resolve(10));
        assertEquals(new ByteRange.Slice(7, 3, 10), ByteRange.suffix(3).resolve(10));
    }

    @Test
    void rangeStartingAtTheEndIsNotSatisfiable() {
        BrizoException e =
                assertThrows(BrizoException.class, () -> ByteRange.from(10).resolve(10));
        assertEquals(ErrorKind.RANGE_NOT_SATISFIABLE, e.kind());
    }

    @Test
    void emptySuffixAndAnyRangeOfAnEmptyObjectAreNotSatisfiable() {
        assertThrows(BrizoException.class, () -> ByteRange.suffix(0).resolve(10));
        assertThrows(BrizoException.class, () -> ByteRange.suffix(5).resolve(0));
        assertThrows(BrizoException.class, () -> ByteRange.of(0, 0).resolve(0));
    }

    @Test
    void openEndedRangeFromZeroIsARangeRequestNotTheWholeObject() {
        assertTrue(ByteRange.all().isAll());
        assertFalse(ByteRange.from(0).isAll());
        assertNotEquals(ByteRange.all(), ByteRange.from(0));
        assertEquals(new ByteRange.Slice(0, 10, 10), ByteRange.from(0).resolve(10));
        assertThrows(BrizoException.class, () -> ByteRange.from(0).resolve(0));
    }

    @Test
    void invertedRangeIsInvalid() {
        assertEquals(
                ErrorKind.INVALID_REQUEST,
                assertThrows(BrizoException.class, () -> ByteRange.of(5, 4)).kind());
    }
}
