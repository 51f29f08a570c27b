package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.RandomString;
import org.junit.jupiter.api.Test;

/**
 * One test tells a subclass generated at run time from a user's class, whatever their names: the generated one is
 * read and named as the user's class above it; a user's class named like one keeps its own name and policies.
 */
class GeneratedSubclassesTest {

    public interface Chat {
        String chat(String prompt);
    }

    /** An interface a mock stands for: no policy of its own. */
    public interface ReviewChat {
        String review(String draft);
    }

    /** What a mock is scripted to do: fail, counting its calls. */
    static final class Down implements InvocationHandler {
        int calls;

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    /**
     * A mock of the interface {@code type} made as Mockito's subclass generator makes one: ByteBuddy's subclass of
     * the interface (so of Object), named {@code Type$MockitoMock$<random>}, that implements the interface, then
     * Mockito's own {@code MockAccess}, every method answered by {@code answer}; top level, public, not synthetic.
     */
    static <T> T mockitoMock(Class<T> type, InvocationHandler answer) throws ReflectiveOperationException {
        DynamicType.Unloaded<?> mockAccess = new ByteBuddy().makeInterface()
                .name("org.mockito.internal.creation.bytebuddy.access.MockAccess").make();
        Class<? extends T> mock = new ByteBuddy().subclass(type)
                .name(type.getName() + "$MockitoMock$" + RandomString.make())
                .implement(mockAccess.getTypeDescription())
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(answer))
                .make().include(mockAccess)
                .load(type.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();
        return mock.getConstructor().newInstance();
    }

    /**
     * A client a library generated with ByteBuddy's default name over Object that implements a JDK interface, then
     * the one it stands for ({@code subclass(Object).implement(Supplier, ReviewChat)}), every method answered by
     * {@code answer}.
     */
    static Class<?> supplierAndReviewChat(InvocationHandler answer) {
        return new ByteBuddy().subclass(Object.class)
                .name(ReviewChat.class.getName() + "$ByteBuddy$" + RandomString.make())
                .implement(Supplier.class, ReviewChat.class)
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(answer))
                .make().load(ReviewChat.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();
    }

    /** The user's class: its own policy. */
    public static class Backend implements Chat {
        int calls;

        @Override
        @Retry(attempts = 2, delay = 0)
        public String chat(String prompt) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    /** A user's nested class whose binary name holds {@code $$} (GeneratedSubclassesTest$$$Own): its own policy. */
    public static class $$Own extends Backend {
        @Override
        @Retry(attempts = 3, delay = 0)
        public String chat(String prompt) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    @Test
    void aSubclassALibraryGeneratedIsTheUserClassAboveIt() {
        for (Class<?> generated : List.of(Backend$$EnhancerByGuice$$1a2b.class, Backend$MockitoMock$1021.class,
                Backend$HibernateProxy$x7Q.class, Backend$$OwbNormalScopeProxy0.class,
                Backend$MockitoMock$Copied.class)) {
            assertThat(GeneratedSubclasses.isGenerated(generated)).as(generated.getName()).isTrue();
            assertThat(GeneratedSubclasses.userClass(generated)).as(generated.getName()).isEqualTo(Backend.class);
        }
    }

    @Test
    void aUserClassNamedLikeOneIsItsOwn() {
        assertThat($$Own.class.getName()).endsWith("GeneratedSubclassesTest$$$Own");
        assertThat(GeneratedSubclasses.isGenerated($$Own.class)).isFalse();
        assertThat(GeneratedSubclasses.userClass($$Own.class)).isEqualTo($$Own.class);
        assertThat(GeneratedSubclasses.isGenerated(Backend.class)).isFalse();
        Runnable lambda = () -> { };
        assertThat(GeneratedSubclasses.userClass(lambda.getClass())).isEqualTo(lambda.getClass());
    }

    /**
     * A bare {@code $$} is a generator's only when the class declares no Rebound annotation of its own: a user's
     * top-level {@code Odd$$Plain} with its own {@code @Retry} is the user's; a generator's own mark wins over the
     * annotations a mock copies.
     */
    @Test
    void aTopLevelUserClassNamedWithABareDollarPairThatCarriesItsOwnPolicyIsItsOwn() {
        assertThat(GeneratedSubclasses.isGenerated(Odd$$Plain.class)).isFalse();
        assertThat(GeneratedSubclasses.userClass(Odd$$Plain.class)).isEqualTo(Odd$$Plain.class);
        assertThat(GeneratedSubclasses.isGenerated(Backend$$OwbNormalScopeProxy0.class)).isTrue();
        assertThat(GeneratedSubclasses.isGenerated(Backend$MockitoMock$Copied.class)).isTrue();
    }

    @Test
    void aUserClassNamedWithABareDollarPairKeepsItsNameAndPolicyThroughWrap() {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(events::add).build();
        Odd$$Plain odd = new Odd$$Plain();
        Chat wrapped = Rebound.wrap(Chat.class, odd).settings(settings).build();

        assertThat(catchThrowable(() -> wrapped.chat("p"))).hasMessage("down");

        assertThat(odd.calls).isEqualTo(3);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("Odd$$Plain");
    }

    @Test
    void eventsNameAGeneratedSubclassByTheUserClassAndAUserClassByItsOwnName() {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(events::add).build();

        Chat mock = Rebound.wrap(Chat.class, new Backend$MockitoMock$1021()).settings(settings).build();
        assertThat(catchThrowable(() -> mock.chat("p"))).hasMessage("down");
        assertThat(events).extracting(ReboundEvent::target).containsOnly("Backend");

        events.clear();
        $$Own own = new $$Own();
        Chat wrapped = Rebound.wrap(Chat.class, own).settings(settings).build();
        assertThat(catchThrowable(() -> wrapped.chat("p"))).hasMessage("down");
        assertThat(own.calls).isEqualTo(3);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("$$Own");
    }

    /**
     * A mock of an interface (superclass Object) is named by the interface it stands for, as a JDK proxy is, never
     * by its run-specific class name: the same in every run, on every instance.
     */
    @Test
    void aMockOfAnInterfaceIsNamedByTheInterfaceItStandsFor() throws ReflectiveOperationException {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(events::add).build();
        Down down = new Down();
        ReviewChat mock = mockitoMock(ReviewChat.class, down);
        assertThat(mock.getClass().getName()).startsWith(ReviewChat.class.getName() + "$MockitoMock$");
        assertThat(mock.getClass().getSuperclass()).isEqualTo(Object.class);
        ReviewChat wrapped = Rebound.wrap(ReviewChat.class, mock)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();

        assertThat(catchThrowable(() -> wrapped.review("d"))).hasMessage("down");

        assertThat(down.calls).isEqualTo(2);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("ReviewChat");
        assertThat(GeneratedSubclasses.namedAs(mock.getClass())).isEqualTo(ReviewChat.class);
    }

    /**
     * The interface a generated class stands for is the first it implements that is not a generator's own (its
     * package a generator's: Mockito's {@code MockAccess}) nor {@code Serializable}, which generators add.
     */
    @Test
    void aGeneratorsOwnInterfaceOrSerializableIsNeverWhatItsClassStandsFor() {
        DynamicType.Unloaded<?> mockAccess = new ByteBuddy().makeInterface()
                .name("org.mockito.internal.creation.bytebuddy.access.MockAccess").make();
        Class<?> generated = new ByteBuddy().subclass(Object.class)
                .name(ReviewChat.class.getName() + "$ByteBuddy$" + RandomString.make())
                .implement(TypeDescription.ForLoadedType.of(Serializable.class), mockAccess.getTypeDescription(),
                        TypeDescription.ForLoadedType.of(ReviewChat.class))
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(new Down()))
                .make().include(mockAccess)
                .load(ReviewChat.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();

        assertThat(generated.getInterfaces()).extracting(Class::getName).containsExactly(Serializable.class.getName(),
                "org.mockito.internal.creation.bytebuddy.access.MockAccess", ReviewChat.class.getName());
        assertThat(GeneratedSubclasses.namedAs(generated)).isEqualTo(ReviewChat.class);
    }

    /**
     * A user's class whose superclass is Object keeps its own name: one named with a bare $$ (no mark of a
     * generator's, not synthetic), a plain one, a lambda's.
     */
    @Test
    void aUserClassThatImplementsAnInterfaceKeepsItsOwnName() {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(events::add).build();
        Own$$Impl own = new Own$$Impl();
        ReviewChat wrapped = Rebound.wrap(ReviewChat.class, (ReviewChat) own)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();

        assertThat(catchThrowable(() -> wrapped.review("d"))).hasMessage("down");

        assertThat(own.calls).isEqualTo(2);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("Own$$Impl");
        assertThat(GeneratedSubclasses.namedAs(Own$$Impl.class)).isEqualTo(Own$$Impl.class);
        ReviewChat lambda = draft -> draft;
        assertThat(GeneratedSubclasses.namedAs(lambda.getClass())).isEqualTo(lambda.getClass());
        assertThat(GeneratedSubclasses.namedAs(Backend.class)).isEqualTo(Backend.class);
    }

    /**
     * A JDK interface ({@code java.*}, {@code javax.*}) a generated class implements beside the one it stands for
     * never names it, whatever their order; alone, it does (it is still the same in every run).
     */
    @Test
    void aJdkInterfaceNamesAGeneratedClassOnlyWhenItImplementsNoOther() {
        Class<?> both = supplierAndReviewChat(new Down());
        Class<?> supplierOnly = new ByteBuddy().subclass(Object.class)
                .name(Supplier.class.getSimpleName() + "$ByteBuddy$" + RandomString.make())
                .implement(Supplier.class)
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(new Down()))
                .make().load(ReviewChat.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();

        assertThat(both.getInterfaces()).containsExactly(Supplier.class, ReviewChat.class);
        assertThat(GeneratedSubclasses.namedAs(both)).isEqualTo(ReviewChat.class);
        assertThat(GeneratedSubclasses.namedAs(both, null)).isEqualTo(ReviewChat.class);
        assertThat(GeneratedSubclasses.namedAs(both, Supplier.class)).isEqualTo(Supplier.class);
        assertThat(GeneratedSubclasses.namedAs(supplierOnly)).isEqualTo(Supplier.class);
    }

    /**
     * FallbackContext.alternatives() lists the class each alternative stands for, the same in every run, as events
     * name it: for a mock of ReviewChat given to withFallbacks, ReviewChat, never its run-specific class; and
     * call(ReviewChat.class) calls it.
     */
    @Test
    void alternativesOfWithFallbacksListTheInterfaceAMockStandsFor() throws ReflectiveOperationException {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .listener(events::add).build();
        ReviewChat backup = mockitoMock(ReviewChat.class, (proxy, method, args) -> "backup: " + args[0]);
        List<Class<?>> listed = new CopyOnWriteArrayList<>();
        ReviewChat chat = Rebound.wrap(ReviewChat.class, (ReviewChat) draft -> {
            throw new IllegalStateException("down");
        }).withRetry(RetryPolicy.none()).withFallbacks(backup).withFallbackHandler(call -> {
            listed.addAll(call.alternatives());
            return call.call(ReviewChat.class, call.arguments());
        }).settings(settings).build();

        assertThat(chat.review("q")).isEqualTo("backup: q");

        assertThat(listed).containsExactly(ReviewChat.class);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .endsWith("ReviewChat");
    }
}
