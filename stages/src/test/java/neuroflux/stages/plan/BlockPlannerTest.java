package neuroflux.stages.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;

class BlockPlannerTest {
    private static UnitProfile unit(String name, long fixed, long in, long act, long out, StepTime train,
                                    StepTime cache) {
        return new UnitProfile(name, fixed, in, act, out, train, cache);
    }

    @Test
    void twoSimilarUnitsShareABlockWhenThatSavesTheCachingPass() {
        // usable 900,000 B. Alone: (900,000 - 100,000) / (1,000 + 2,000) -> batch 266.
        // Together: fixed 200,000; per sample 1,000 (block input) + max(2,000, 2,000 + 1,000) = 4,000 -> 175,
        // peak 200,000 + 175 * 4,000 = 900,000. Training time is the same either way (constant per-sample time,
        // 2 epochs * 1,000 samples * 1 ms = 2 s a unit); apart, unit a's output must be cached (1,000 * 0.2 ms).
        StepTime train = StepTime.perSample(1e-3);
        StepTime cache = StepTime.perSample(2e-4);
        List<UnitProfile> units = List.of(unit("a", 100_000, 1_000, 2_000, 1_000, train, cache),
                unit("b", 100_000, 1_000, 2_000, 500, train, cache));
        BlockPlanner planner = new BlockPlanner(PlannerSettings.of(1_000_000, 2, 1_000));
        Plan plan = planner.plan(units);
        assertEquals(List.of(2), plan.blockSizes());
        Block block = plan.blocks().get(0);
        assertEquals(175, block.batch());
        assertEquals(900_000, block.predictedPeakBytes());
        assertEquals(4.0, plan.predictedSeconds(), 1e-9);
        Plan apart = planner.planSplit(units, List.of(1, 1));
        assertEquals(List.of(266, 266), apart.blocks().stream().map(Block::batch).toList());
        assertEquals(4.2, apart.predictedSeconds(), 1e-9);
    }

    /** Units of 1,000 B/sample around one of 10,000 B/sample; steps cost 10 ms plus 0.1 ms a sample. */
    private static List<UnitProfile> narrowWideNarrow() {
        StepTime train = StepTime.linear(0.01, 1e-4);
        StepTime free = StepTime.perSample(0);
        return List.of(unit("u0", 0, 100, 900, 100, train, free), unit("u1", 0, 100, 9_900, 100, train, free),
                unit("u2", 0, 100, 900, 100, train, free));
    }

    @Test
    void dissimilarUnitsTrainApartAtTheirOwnBatchSizes() {
        // usable 1,000,000 B, no margin. Alone: u0, u2 -> 1,000 B/sample -> capped at 512; u1 -> 10,000 -> 100.
        // Per unit, 1,000 samples * (0.01/b + 1e-4) s: 0.11953125 s at 512, 0.2 s at 100, 0.2010101 s at 99.
        // [1,1,1] 0.43906 s; [1,2] 0.51953 s (u1,u2 at 100); [2,1] 0.52152 s (u0,u1 at 99); [3] 0.60303 s.
        BlockPlanner planner = new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000).withMargin(0));
        Plan plan = planner.plan(narrowWideNarrow());
        assertEquals(List.of(1, 1, 1), plan.blockSizes());
        assertEquals(List.of(512, 100, 512), plan.blocks().stream().map(Block::batch).toList());
        assertEquals(2 * 0.11953125 + 0.2, plan.predictedSeconds(), 1e-9);
    }

    @Test
    void aBlockOverheadMakesOneBlockCheaper() {
        // the same units with 0.1 s per block: [1,1,1] 0.73906, [1,2] 0.71953, [2,1] 0.72152, [3] 0.70303
        BlockPlanner planner = new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000).withMargin(0)
                .withBlockOverheadSeconds(0.1));
        Plan plan = planner.plan(narrowWideNarrow());
        assertEquals(List.of(3), plan.blockSizes());
        assertEquals(99, plan.blocks().get(0).batch());
        assertEquals(3 * (0.01 / 99 + 1e-4) * 1_000 + 0.1, plan.predictedSeconds(), 1e-9);
    }

    @Test
    void theDynamicProgrammeFindsTheCheapestOfAllSplits() {
        Random random = new Random(2024);
        int merged = 0;
        int split = 0;
        for (int instance = 0; instance < 300; instance++) {
            int n = 1 + random.nextInt(7);
            List<UnitProfile> units = randomUnits(random, n);
            PlannerSettings base = new PlannerSettings(1, random.nextDouble() * 0.3, 1 + random.nextInt(600),
                    1 + random.nextInt(5), 100 + random.nextInt(10_000),
                    random.nextBoolean() ? 0 : random.nextDouble() * 1e-8, random.nextBoolean() ? 0 : random.nextDouble());
            long smallest = new BlockPlanner(base).smallestBudget(units);
            BlockPlanner planner = new BlockPlanner(base.withBudget(smallest + random.nextLong(smallest * 6)));
            Plan plan = planner.plan(units);

            double bruteBest = Double.POSITIVE_INFINITY;
            for (int cuts = 0; cuts < 1 << (n - 1); cuts++) {
                Plan p = planner.planSplit(units, sizes(cuts, n));
                if (p != null) bruteBest = Math.min(bruteBest, p.predictedSeconds());
            }
            String at = "instance " + instance + ": " + plan.describe();
            assertEquals(bruteBest, plan.predictedSeconds(), 1e-9 * bruteBest, at);
            if (plan.blocks().size() < n) merged++;
            if (plan.blocks().size() > 1) split++;
            long usable = planner.settings().usableBytes();
            for (Block b : plan.blocks()) {
                assertTrue(b.predictedPeakBytes() <= usable, at);
                Block oneMore = planner.block(units, b.firstUnit(), b.lastUnit());
                assertEquals(b, oneMore);
                assertTrue(b.batch() == planner.settings().batchCap()
                        || peakAt(units, b, b.batch() + 1) > usable, "the batch is the largest that fits: " + at);
            }
        }
        assertTrue(merged > 30 && split > 30, "the instances exercise both merging and splitting: " + merged + ", "
                + split);
    }

    /** The block's peak at another batch, from the formula in BlockPlanner's documentation. */
    private static long peakAt(List<UnitProfile> units, Block b, long batch) {
        long fixed = 0;
        long largest = 0;
        for (int k = b.firstUnit(); k <= b.lastUnit(); k++) {
            UnitProfile u = units.get(k);
            fixed += u.fixedBytes();
            largest = Math.max(largest, u.activationBytesPerSample()
                    + (k == b.firstUnit() ? 0 : u.inputBytesPerSample()));
        }
        return fixed + batch * (units.get(b.firstUnit()).inputBytesPerSample() + largest);
    }

    private static List<Integer> sizes(int cuts, int n) {
        List<Integer> sizes = new ArrayList<>();
        int size = 1;
        for (int i = 0; i < n - 1; i++) {
            if ((cuts & (1 << i)) != 0) {
                sizes.add(size);
                size = 1;
            } else {
                size++;
            }
        }
        sizes.add(size);
        return sizes;
    }

    private static List<UnitProfile> randomUnits(Random random, int n) {
        List<UnitProfile> units = new ArrayList<>();
        long in = 1 + random.nextInt(50_000);
        for (int i = 0; i < n; i++) {
            long out = 1 + random.nextInt(50_000);
            units.add(unit("u" + i, random.nextInt(5_000_000), in, random.nextInt(400_000), out,
                    StepTime.linear(random.nextDouble() * 0.05, random.nextDouble() * 1e-3),
                    StepTime.linear(random.nextDouble() * 0.01, random.nextDouble() * 1e-4)));
            in = out;
        }
        return units;
    }

    /** A unit with measured curves: its peak alone and what it holds while the others train. */
    private static UnitProfile curved(String name, MemoryCurve peak, MemoryCurve held, long in, long out) {
        StepTime t = StepTime.perSample(1e-3);
        return new UnitProfile(name, peak, held, in, out, t, t);
    }

    @Test
    void whileOneUnitTrainsTheOthersHoldOnlyWhatTheyKeep() {
        // a: peak 100,000 + 3,000 b (its 1,000 B/sample input included), holds 40,000 + 500 b;
        // b: peak 200,000 + 2,000 b, holds 60,000. With a training: 100,000 + 3,000 b + 60,000; with b training:
        // 200,000 + 2,000 b + 40,000 + 500 b + 1,000 b (the block's input batch beside it) = 240,000 + 3,500 b.
        // Usable 900,000: (900,000 - 240,000) / 3,500 = 188.6 -> 188, peak 898,000. Summing the fixed parts
        // would have said 300,000 + 3,500 b: batch 171.
        List<UnitProfile> units = List.of(
                curved("a", MemoryCurve.line(100_000, 3_000), MemoryCurve.line(40_000, 500), 1_000, 1_000),
                curved("b", MemoryCurve.line(200_000, 2_000), MemoryCurve.line(60_000, 0), 1_000, 10));
        BlockPlanner planner = new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000));
        Block block = planner.planSplit(units, List.of(2)).blocks().getFirst();
        assertEquals(188, block.batch());
        assertEquals(898_000, block.predictedPeakBytes());
        assertEquals(590_000, planner.peakAt(units, 0, 1, 100)); // max(460,000, 590,000)
        assertEquals(400_000, planner.peakAt(units, 0, 0, 100), "alone: its own peak");

        // 50,000 resident before any block: in every peak, so (900,000 - 290,000) / 3,500 -> 174
        BlockPlanner resident = new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000).withResidentBytes(50_000));
        Block less = resident.planSplit(units, List.of(2)).blocks().getFirst();
        assertEquals(174, less.batch());
        assertEquals(899_000, less.predictedPeakBytes());
        assertEquals(640_000, resident.peakAt(units, 0, 1, 100));
    }

    @Test
    void theBlocksLastUnitPassesNoOutputOnSoItsPeakIsLessThePassedOutput() {
        // a: peak 100,000 + 3,000 b, of which 1,000 B/sample is the output its profiled step passed on; holds
        // 40,000. b: peak 200,000 + 2,000 b, passes nothing on (the model's last unit), holds 60,000.
        StepTime t = StepTime.perSample(1e-3);
        UnitProfile a = new UnitProfile("a", MemoryCurve.line(100_000, 3_000), MemoryCurve.line(40_000, 0), 1_000,
                1_000, 1_000, t, t);
        UnitProfile b = new UnitProfile("b", MemoryCurve.line(200_000, 2_000), MemoryCurve.line(60_000, 0), 1_000,
                10, 0, t, t);
        BlockPlanner planner = new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000));
        List<UnitProfile> units = List.of(a, b);
        // a alone ends its block: 100,000 + 2,000 b; at 100: 300,000 (400,000 with the output)
        assertEquals(300_000, planner.peakAt(units, 0, 0, 100));
        assertEquals(300_000, a.endOfBlockPeakBytes(100));
        // a before b in one block passes its output on: a's full peak + b's held = 460,000 at 100; b training:
        // 200,000 + 200,000 + 40,000 + 100,000 (the block's input) = 540,000
        assertEquals(540_000, planner.peakAt(units, 0, 1, 100));
        assertEquals(460_000, a.peak().at(100) + b.held().at(100));
        // usable 900,000 for a alone: (900,000 - 100,000) / 2,000 = 400
        assertEquals(400, planner.planSplit(units, List.of(1, 1)).blocks().getFirst().batch());
        // never below what the unit holds: a passed output as large as the whole per-sample figure
        UnitProfile all = new UnitProfile("all", MemoryCurve.line(100_000, 3_000), MemoryCurve.line(40_000, 0),
                1_000, 3_000, 3_000, t, t);
        assertEquals(100_000, all.endOfBlockPeakBytes(100), "peak less 300,000 is 100,000, above the 40,000 held");
        UnitProfile more = new UnitProfile("more", MemoryCurve.line(10_000, 3_000), MemoryCurve.line(40_000, 0),
                1_000, 3_000, 3_000, t, t);
        assertEquals(40_000, more.endOfBlockPeakBytes(100), "floored at the held 40,000");
    }

    @Test
    void aPeakThatBendsUpwardsGetsTheBatchWhereItReachesTheBudget() {
        // 100,000 at 4, 200,000 at 256, 600,000 at 512: from 256 on 1,562.5 B/sample. Usable 400,000:
        // 200,000 + 1,562.5 (b - 256) <= 400,000 -> b = 384. The line through the first two points (396.8 B/sample)
        // would have given the cap, 512, at a real peak of 600,000.
        MemoryCurve peak = new MemoryCurve(new int[] {4, 256, 512}, new long[] {100_000, 200_000, 600_000}, 1_600);
        List<UnitProfile> units = List.of(curved("u", peak, MemoryCurve.line(50_000, 0), 100, 100));
        BlockPlanner planner = new BlockPlanner(new PlannerSettings(400_000, 0, 512, 1, 1_000, 0, 0));
        Block block = planner.plan(units).blocks().getFirst();
        assertEquals(384, block.batch());
        assertEquals(400_000, block.predictedPeakBytes());
        assertEquals(401_563, planner.peakAt(units, 0, 0, 385), "one sample more is over");
    }

    @Test
    void withCurvesTheBatchIsTheLargestUnderTheDocumentedPeak() {
        Random random = new Random(77);
        for (int instance = 0; instance < 300; instance++) {
            int n = 1 + random.nextInt(5);
            List<UnitProfile> units = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int b1 = 1 + random.nextInt(8);
                int b2 = b1 + 1 + random.nextInt(100);
                int b3 = b2 + 1 + random.nextInt(400);
                long p1 = random.nextInt(2_000_000);
                long p2 = p1 + random.nextInt(3_000_000);
                long p3 = p2 + random.nextInt(20_000_000);
                MemoryCurve peak = new MemoryCurve(new int[] {b1, b2, b3}, new long[] {p1, p2, p3},
                        random.nextInt(100_000));
                MemoryCurve held = new MemoryCurve(new int[] {b1, b3}, new long[] {p1 / 2, p1 / 2
                        + random.nextInt(1_000_000)}, random.nextInt(1_000));
                units.add(curved("u" + i, peak, held, 1 + random.nextInt(10_000), 1 + random.nextInt(10_000)));
            }
            PlannerSettings settings = new PlannerSettings(1, random.nextDouble() * 0.3, 1 + random.nextInt(600), 1,
                    1_000, 0, 0, random.nextInt(3_000_000));
            long smallest = new BlockPlanner(settings).smallestBudget(units);
            BlockPlanner planner = new BlockPlanner(settings.withBudget(smallest + random.nextLong(smallest * 4)));
            long usable = planner.settings().usableBytes();
            Plan plan = planner.plan(units);
            String at = "instance " + instance + ": " + plan.describe();
            for (Block b : plan.blocks()) {
                assertEquals(documentedPeak(units, b.firstUnit(), b.lastUnit(), b.batch(),
                        planner.settings().residentBytes()), b.predictedPeakBytes(), at);
                assertTrue(b.predictedPeakBytes() <= usable, at);
                assertTrue(b.batch() == planner.settings().batchCap() || documentedPeak(units, b.firstUnit(),
                        b.lastUnit(), b.batch() + 1, planner.settings().residentBytes()) > usable, at);
            }
        }
    }

    /** The class comment's formula, written out again: resident + max over k of [peak(k) + Σ held(j≠k) + input]. */
    private static long documentedPeak(List<UnitProfile> units, int first, int last, long batch, long resident) {
        long most = 0;
        for (int k = first; k <= last; k++) {
            long sum = units.get(k).peak().at(batch) + (k == first ? 0 : batch * units.get(first).inputBytesPerSample());
            for (int j = first; j <= last; j++) if (j != k) sum += units.get(j).held().at(batch);
            most = Math.max(most, sum);
        }
        return resident + most;
    }

    @Test
    void aBudgetTooSmallForBatchSizeOneNamesTheSmallestThatWorks() {
        // alone at batch 1: u0 1,000 + 100 + 900 = 2,000 B; u1 5,000 + 100 + 400 = 5,500 B.
        // with a 10% margin: floor(6,112 * 0.9) = 5,500 fits, floor(6,111 * 0.9) = 5,499 does not
        StepTime t = StepTime.perSample(1e-3);
        List<UnitProfile> units = List.of(unit("u0", 1_000, 100, 900, 100, t, t), unit("u1", 5_000, 100, 400, 10, t, t));
        PlannerSettings settings = PlannerSettings.of(6_000, 1, 100);
        BudgetTooSmallException e = assertThrows(BudgetTooSmallException.class,
                () -> new BlockPlanner(settings).plan(units));
        assertEquals(6_112, e.smallestBudgetBytes());
        assertTrue(e.getMessage().contains("6112 bytes") && e.getMessage().contains("'u1'"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        assertTrue(e instanceof BadInputException);

        Plan atMinimum = new BlockPlanner(settings.withBudget(6_112)).plan(units);
        assertEquals(List.of(1, 1), atMinimum.blockSizes());
        // u1 just fits at batch 1; u0 gets (5,500 - 1,000) / 1,000 -> 4
        assertEquals(List.of(4, 1), atMinimum.blocks().stream().map(Block::batch).toList());
        assertThrows(BudgetTooSmallException.class, () -> new BlockPlanner(settings.withBudget(6_111)).plan(units));
    }

    @Test
    void theStatedMinimumAlwaysPlans() {
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            List<UnitProfile> units = randomUnits(random, 1 + random.nextInt(5));
            PlannerSettings settings = PlannerSettings.of(1, 1, 1_000).withMargin(random.nextDouble() * 0.5);
            long smallest = new BlockPlanner(settings).smallestBudget(units);
            new BlockPlanner(settings.withBudget(smallest)).plan(units);
            if (smallest > 1) {
                BudgetTooSmallException e = assertThrows(BudgetTooSmallException.class,
                        () -> new BlockPlanner(settings.withBudget(smallest - 1)).plan(units));
                assertEquals(smallest, e.smallestBudgetBytes());
            }
        }
    }

    @Test
    void theSmallestBudgetCountsWhatIsResidentBeforeAnyBlock() {
        // u1 alone at batch 1: 5,500 B, and 1,000 resident: 6,500 usable -> floor(7,223 * 0.9) = 6,500
        StepTime t = StepTime.perSample(1e-3);
        List<UnitProfile> units = List.of(unit("u0", 1_000, 100, 900, 100, t, t), unit("u1", 5_000, 100, 400, 10, t, t));
        PlannerSettings settings = PlannerSettings.of(1, 1, 100).withResidentBytes(1_000);
        assertEquals(7_223, new BlockPlanner(settings).smallestBudget(units));
        BudgetTooSmallException e = assertThrows(BudgetTooSmallException.class,
                () -> new BlockPlanner(settings.withBudget(7_222)).plan(units));
        assertTrue(e.getMessage().contains("held before any block"), e.getMessage());
        // and backprop's batch: (900,000 - 1,000 - 300,000) / 5,000 = 119.8 -> 119
        assertEquals(119, new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000).withResidentBytes(1_000))
                .largestBackpropBatch(300_000, 5_000));
    }

    @Test
    void backpropGetsTheLargestBatchThatFitsTheSameBudget() {
        // usable 900,000: (900,000 - 300,000) / 5,000 = 120
        BlockPlanner planner = new BlockPlanner(PlannerSettings.of(1_000_000, 1, 1_000));
        assertEquals(120, planner.largestBackpropBatch(300_000, 5_000));
        assertEquals(0, planner.largestBackpropBatch(896_000, 5_000), "not even batch size 1 fits");
        assertEquals(1, planner.largestBackpropBatch(895_000, 5_000));
        assertEquals(512, planner.largestBackpropBatch(0, 10), "capped");
    }
}
