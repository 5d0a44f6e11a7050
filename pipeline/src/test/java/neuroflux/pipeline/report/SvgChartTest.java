package neuroflux.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgChartTest {
    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void barsAreWellFormedWithOneRectPerBarAndTheReferenceLine() throws Exception {
        String svg = SvgChart.bars("memory <per> block", List.of("b0", "b1", "b2"), new double[] {10, 20, 5}, "bytes",
                25, "budget");
        Document d = parse(svg);
        assertEquals(4, d.getElementsByTagName("rect").getLength(), "background plus three bars");
        assertTrue(svg.contains("stroke-dasharray"), "reference line drawn");
        assertTrue(svg.contains("budget 25.0"), svg);
    }

    @Test
    void barHeightsAreProportionalToValues() throws Exception {
        Document d = parse(SvgChart.bars("t", List.of("a", "b"), new double[] {10, 20}, "u", Double.NaN, ""));
        double h1 = Double.parseDouble(d.getElementsByTagName("rect").item(1).getAttributes().getNamedItem("height").getNodeValue());
        double h2 = Double.parseDouble(d.getElementsByTagName("rect").item(2).getAttributes().getNamedItem("height").getNodeValue());
        assertEquals(2.0, h2 / h1, 0.02);
    }

    @Test
    void linesDrawEverySeriesWithALegend() throws Exception {
        String svg = SvgChart.lines("accuracy", List.of(
                new SvgChart.Series("bp", new double[] {1, 2, 3}, new double[] {0.5, 0.7, 0.8}),
                new SvgChart.Series("neuroflux", new double[] {1, 2}, new double[] {0.6, 0.85})), "wall time (s)", "accuracy");
        Document d = parse(svg);
        assertEquals(2, d.getElementsByTagName("polyline").getLength());
        assertEquals(5, d.getElementsByTagName("circle").getLength());
        assertTrue(svg.contains(">neuroflux<"));
    }
}
