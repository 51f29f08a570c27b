package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.StdErr;
import dev.rebound.runtime.internal.SelfRetryCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 7: a langchain4j model with its own retries held in a field of the user's class
 * (the usual shape: a service that owns its model) is found, and warned about once.
 */
class SelfRetryingFieldTest {

    interface Answers {
        String answer(String question);
    }

    /** A service of the user's holding a model built with langchain4j's default maxRetries = 2. */
    static final class SupportDesk implements Answers {
        private final ChatModel model = OpenAiChatModel.builder().apiKey("sk-secret").modelName("gpt-4").build();

        @Override
        public String answer(String question) {
            return model.chat(question);
        }
    }

    static class Base {
        final ChatModel inherited = OpenAiChatModel.builder().apiKey("k").maxRetries(4).build();
        final ChatModel quiet = OpenAiChatModel.builder().apiKey("k").maxRetries(0).build();
    }

    static final class Derived extends Base {
        final String notAModel = "x";
    }

    /** Its own class, so the once-per-class memory of other tests does not hide the warning. */
    static final class FrontDesk implements Answers {
        private final ChatModel model = OpenAiChatModel.builder().apiKey("sk-secret").modelName("gpt-4").build();

        @Override
        public String answer(String question) {
            return model.chat(question);
        }
    }

    @Test
    void findsSelfRetryingModelsInOwnAndInheritedFields() {
        assertThat(SelfRetryCheck.selfRetryingFields(new SupportDesk())).isEqualTo(Map.of("SupportDesk.model", 2));
        assertThat(SelfRetryCheck.selfRetryingFields(new Derived())).isEqualTo(Map.of("Base.inherited", 4));
        assertThat(SelfRetryCheck.selfRetryingFields("a string")).isEmpty();
    }

    @Test
    void wrappingAClassThatHoldsASelfRetryingModelWarnsOnceNamingTheField() {
        String log = StdErr.during(() -> {
            Rebound.wrap(Answers.class, new FrontDesk()).withRetry(RetryPolicy.builder().attempts(3).build()).build();
            Rebound.wrap(Answers.class, new FrontDesk()).withRetry(RetryPolicy.builder().attempts(3).build()).build();
        });
        assertThat(log.split("field FrontDesk.model holds a langchain4j model with its own retries on "
                + "\\(maxRetries = 2\\)", -1)).hasSize(2);
        assertThat(log).contains("up to 3 requests").contains(".maxRetries(0)").doesNotContain("sk-secret");
    }
    @Test
    void aWarnedHolderClassOfADroppedApplicationLetsItsLoaderGo() throws Exception {
        String name = ApplicationDesk.class.getName();
        java.net.URL classes = ApplicationDesk.class.getProtectionDomain().getCodeSource().getLocation();
        java.net.URLClassLoader application = new java.net.URLClassLoader(new java.net.URL[] {classes},
                SelfRetryingFieldTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(n)) {
                    if (n.equals(name)) { // this one class is the application's own
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : findClass(n);
                    }
                    return super.loadClass(n, resolve);
                }
            }
        };
        Object desk = application.loadClass(name).getConstructor(Object.class)
                .newInstance(OpenAiChatModel.builder().apiKey("sk-secret").modelName("gpt-4").build());
        assertThat(desk.getClass().getClassLoader()).isSameAs(application);
        Object[] held = {desk};
        String log = StdErr.during(() -> assertThat(SelfRetryCheck.warnIfSelfRetrying(held[0], "Rebound.wrap(Desk)"))
                .isTrue());
        held[0] = null;
        assertThat(log).contains("field ApplicationDesk.model holds a langchain4j model with its own retries on");
        java.lang.ref.WeakReference<ClassLoader> loader = new java.lang.ref.WeakReference<>(application);
        application.close();
        application = null;
        desk = null;

        for (int i = 0; i < 50 && loader.get() != null; i++) {
            System.gc();
        }

        assertThat(loader.get()).as("the dropped application's loader, after GC").isNull();
    }
}
