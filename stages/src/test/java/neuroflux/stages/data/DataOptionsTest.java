package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;

class DataOptionsTest {
    @Test
    void defaultsAreFashionMnistWithATenthForValidation() {
        DataOptions o = DataOptions.defaults();
        assertEquals("fashion-mnist", o.name());
        assertEquals(0.1, o.validation());
        assertEquals(DataOptions.NO_LIMIT, o.limitTrain());
        assertSame(Augmentation.NONE, o.augmentation(new long[] {1, 28, 28}));
    }

    @Test
    void augmentationPadsByImageSizeUnlessGiven() {
        DataOptions on = DataOptions.defaults().withAugment(true);
        assertEquals(new Augmentation(4, true), on.augmentation(new long[] {3, 32, 32}));
        assertEquals(new Augmentation(2, true), on.augmentation(new long[] {1, 28, 28}));
        assertEquals(new Augmentation(1, false), on.withCropPad(1).withFlip(false).augmentation(new long[] {1, 28, 28}));
    }

    @Test
    void badValuesFailAtOnce() {
        DataOptions d = DataOptions.defaults();
        for (double v : new double[] {0, -0.5, 2.5, Double.NaN}) {
            var e = assertThrows(BadInputException.class, () -> d.withValidation(v));
            assertTrue(e.getMessage().startsWith("the validation size"), e.getMessage());
        }
        assertThrows(BadInputException.class, () -> d.withLimitTrain(-3));
        assertThrows(BadInputException.class, () -> d.withCropPad(-2));
        assertThrows(BadInputException.class, () -> d.withSyntheticSizes(0, 10));
        assertThrows(BadInputException.class, () -> d.withSyntheticShape(new long[] {28, 28}));
        assertThrows(BadInputException.class, () -> d.withName(" "));
    }
}
