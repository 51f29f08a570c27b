package dev.rebound.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The notes the late-resolver warning keeps belong to the policies that hold them: wrappers built on the
 * global settings and dropped, one per request or per tenant, leave nothing behind.
 */
class GlobalAlternativesTest {

    public interface Asking {
        @Fallback(to = Backup.class)
        String ask(String q);
    }

    public static class Backup implements Asking {
        @Override
        public String ask(String q) {
            return "backup";
        }
    }

    private final ReboundSettings saved = ReboundSettings.global();

    @AfterEach
    void restore() {
        ReboundSettings.setGlobal(saved);
    }

    @Test
    void wrappersBuiltAndDroppedLeaveNoNotesBehind() {
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).build());
        WeakReference<Object> last = null;
        for (int i = 0; i < 10_000; i++) {
            last = new WeakReference<>(Rebound.wrap(Asking.class, (Asking) q -> "primary").build());
        }
        for (int i = 0; i < 50 && last.get() != null; i++) {
            System.gc();
        }
        assertThat(last.get()).isNull();

        // each note hands back the references the collector cleared, as the JVM's reference handler queues
        // them (on its own thread, after the collection): a few more builds, at most, see them all
        Asking kept = null;
        for (int i = 0; i < 50; i++) {
            kept = Rebound.wrap(Asking.class, (Asking) q -> "primary").build();
            if (GlobalAlternatives.notes(ReboundSettings.global().alternatives()) < 100) {
                break;
            }
            System.gc();
        }

        assertThat(GlobalAlternatives.notes(ReboundSettings.global().alternatives()))
                .as("notes left by 10,000 dropped wrappers and a few in use").isLessThan(100);
        assertThat(kept.ask("q")).isEqualTo("primary");
    }

    /**
     * A resolver that could not make the alternative made none a policy holds: no note is left for it, so
     * replacing it says nothing (the wrapper's build failed; nothing holds anything).
     */
    @Test
    void aResolverThatCouldNotMakeTheAlternativeKeepsNoNoteOfIt() {
        dev.rebound.runtime.spi.AlternativeResolver failing = type -> {
            throw new IllegalStateException("cannot make " + type.getSimpleName());
        };
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).alternatives(failing).build());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rebound.wrap(Asking.class, (Asking) q -> "p").build())
                .isInstanceOf(dev.rebound.runtime.ReboundConfigurationException.class);

        assertThat(GlobalAlternatives.notes(failing)).isZero();
    }
}
