package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.runtime.ReboundSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A woven class's alternatives are made when the class is initialised, by the global resolver of that
 * moment (containers.md): a resolver a test sets afterwards is not asked for them, and a WARN names their
 * classes instead of the test getting the earlier resolver's alternatives in silence.
 */
class LateResolverTest extends VirtualTime {

    public interface Asking {
        @Fallback(to = LateBackup.class)
        String ask(String q);
    }

    public static class LateBackup implements Asking {
        private final String from;

        public LateBackup() {
            this("a no-arg constructor");
        }

        LateBackup(String from) {
            this.from = from;
        }

        @Override
        public String ask(String q) {
            return "backup from " + from;
        }
    }

    /** Woven (this package is compiled by ajc); its class is initialised by this test's first call. */
    public static class LatePrimary implements Asking {
        @Override
        public String ask(String q) {
            throw new IllegalStateException("down");
        }
    }

    @Test
    void aResolverSetAfterAWovenClassMadeItsAlternativesIsSaidNotToBeAskedForThem() {
        List<Class<?>> asked = new ArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().alternatives(type -> {
            asked.add(type);
            return new LateBackup("the first resolver");
        }).build());
        assertThat(new LatePrimary().ask("q")).isEqualTo("backup from the first resolver");

        String log = StdErr.during(() -> ReboundSettings.setGlobal(ReboundSettings.global().toBuilder()
                .alternatives(type -> new LateBackup("the second resolver")).build()));

        assertThat(new LatePrimary().ask("q")).isEqualTo("backup from the first resolver");
        assertThat(asked).containsExactly(LateBackup.class);
        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundSettings.setGlobal: the new settings' alternatives"
                + " resolver is not asked for the alternatives the previous one made for policies resolved before ("
                + LateBackup.class.getName() + "): those policies keep them.")).isEqualTo(1L);
    }
}
