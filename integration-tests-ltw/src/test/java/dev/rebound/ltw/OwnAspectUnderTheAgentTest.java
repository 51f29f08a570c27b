package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.ltw.traced.Chatting;
import dev.rebound.runtime.ReboundSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Under the agent, with src/test/own-aspect/META-INF/aop.xml on the class path, which declares the application's own
 * annotation-style aspects: their advices take AspectJ's JoinPoint, which the agent then hands down Rebound's advices
 * after the call's arguments. The alternative gets the caller's argument all the same, with nothing observing the call
 * and with a listener.
 */
class OwnAspectUnderTheAgentTest extends VirtualClock {

    /** What a call of {@code chat("x")} logged, nothing observing it; then with a listener, which must be the same. */
    private static List<String> quietThenObserved(Chatting chat) {
        List<String> quiet = call(chat);
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(event -> { }).build());
        assertThat(call(chat)).as("a listener").isEqualTo(quiet);
        return quiet;
    }

    private static List<String> call(Chatting chat) {
        Chatting.LOG.clear();
        String answer = chat.chat("x");
        List<String> seen = new ArrayList<>(Chatting.LOG);
        seen.add("returned " + answer);
        return seen;
    }

    @Test
    void anAdviceTakingTheJoinPointLeavesTheAlternativeTheCallersArgument() {
        List<String> seen = quietThenObserved(new Chatting.Primary());

        assertThat(woven(Chatting.Primary.class)).isTrue();
        assertThat(seen).as("traced, around the call or each attempt, as the agent ordered it")
                .isIn(List.of("traced [x]", "body got x", "body got x", "spare got String:x", "returned spare"),
                        List.of("traced [x]", "body got x", "traced [x]", "body got x", "spare got String:x",
                                "returned spare"));
    }

    /** Inside Rebound's, proceeding with changed arguments: every attempt gets them, the alternative the caller's. */
    @Test
    void anAroundAdviceInsideChangingTheArgumentsChangesTheAttemptsButNotTheAlternatives() {
        assertThat(quietThenObserved(new Chatting.Exclaimed())).containsExactly("exclaiming x", "exclaimed got x!",
                "exclaiming x", "exclaimed got x!", "spare got String:x", "returned spare");
    }
}
