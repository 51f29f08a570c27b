package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it in your build" snippets are this module's own build and code: the marked
 * blocks of pom.xml (with the build's versions filled in) and of GuiceModuleTest.
 */
class ReadmeSnippetTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    private static String readme() throws IOException {
        return Files.readString(MODULE.resolve("../README.md"));
    }

    /** The fenced block that follows {@code <!-- snippet:NAME -->} in the README. */
    private static String readmeSnippet(String name) throws IOException {
        String text = readme();
        int marker = text.indexOf("<!-- snippet:" + name + " -->");
        assertThat(marker).as("README marker snippet:" + name).isNotNegative();
        int open = text.indexOf('\n', text.indexOf("```", marker)) + 1;
        int close = text.indexOf("\n```", open);
        return text.substring(open, close);
    }

    /** The lines between {@code readme:NAME} and {@code /readme:NAME} in {@code file}, de-indented. */
    private static String marked(Path file, String name) throws IOException {
        List<String> block = new ArrayList<>();
        boolean in = false;
        boolean skipping = false;
        for (String line : Files.readAllLines(file)) {
            if (line.contains("/readme:" + name)) {
                break;
            }
            if (in) {
                if (line.contains("<!-- it-only")) {
                    skipping = true;
                } else if (line.contains("<!-- /it-only")) {
                    skipping = false;
                } else if (!skipping) {
                    block.add(line);
                }
            }
            in |= line.contains("readme:" + name);
        }
        int indent = block.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", block.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }

    private static String withBuildVersions(String text) {
        Matcher m = PROPERTY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = System.getProperty(m.group(1));
            assertThat(value).as("build property " + m.group(1)).isNotNull();
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    @Test
    void theDependenciesAreThisModules() throws IOException {
        assertThat(readmeSnippet("dependencies"))
                .isEqualTo(withBuildVersions(marked(MODULE.resolve("pom.xml"), "dependencies")));
    }

    @Test
    void theAspectjPluginIsThisModules() throws IOException {
        assertThat(readmeSnippet("plugin"))
                .isEqualTo(withBuildVersions(marked(MODULE.resolve("pom.xml"), "plugin")));
    }

    @Test
    void theGuiceLinesAreThoseTheTestsRun() throws IOException {
        Path test = MODULE.resolve("src/test/java/dev/rebound/it/GuiceModuleTest.java");
        assertThat(readmeSnippet("guice-install")).isEqualTo(marked(test, "install"));
        assertThat(readmeSnippet("guice-wrapping")).isEqualTo(marked(test, "guice"));
    }
}
