package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's load-time weaving snippets are the configuration these tests run with. */
class ReadmeTest {

    private static String marked(String file, String marker) throws IOException {
        String text = Files.readString(Path.of(file));
        int start = text.indexOf("<!-- readme:" + marker + " -->");
        int end = text.indexOf("<!-- /readme:" + marker + " -->");
        assertThat(start).as(marker + " in " + file).isNotNegative();
        String block = text.substring(text.indexOf('\n', start) + 1, end);
        return block.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }

    private static String readme() throws IOException {
        return Files.readAllLines(Path.of("../README.md")).stream().map(String::strip)
                .reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void theAgentFlagIsThePoms() throws IOException {
        assertThat(readme()).contains(marked("pom.xml", "agent"));
    }

    @Test
    void theNarrowingFileIsTheTests() throws IOException {
        assertThat(readme()).contains(marked("src/test/narrow/META-INF/aop.xml", "narrow"));
    }
}
