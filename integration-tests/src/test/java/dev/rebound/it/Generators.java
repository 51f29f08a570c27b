package dev.rebound.it;

import java.lang.reflect.InvocationHandler;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.SyntheticState;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.implementation.SuperMethodCall;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.RandomString;

/**
 * Classes made at run time as Quarkus's ArC, Micronaut and Mockito make theirs, with what Rebound can see of them:
 * their names, their class-file flags, that they are top level (no {@code InnerClasses} attribute), their
 * superclass and their interfaces in order, each generator's own interfaces (made empty, by their real names)
 * included; their overrides forward to the class above them, or answer through a handler. Each is defined with its
 * generator's interfaces in a class loader of its own, a child of the loader of the type it is made from.
 */
public final class Generators {

    private Generators() {
    }

    /**
     * ArC's intercepted subclass of a bean class ({@code SubclassGenerator}, through Gizmo's {@code ClassCreator}):
     * {@code Bean_Subclass}, public and synthetic (Gizmo's default flags), extends the bean, implements
     * {@code io.quarkus.arc.Subclass}; its overrides of the bean's public methods forward to them.
     */
    public static <T> Class<? extends T> arcSubclass(Class<T> bean) {
        return subclass(bean, bean.getName() + "_Subclass", Visibility.PUBLIC, "io.quarkus.arc.Subclass");
    }

    /**
     * ArC's client proxy of a bean whose type is an interface ({@code ClientProxyGenerator}):
     * {@code Type_ClientProxy}, public and synthetic, extends Object, implements {@code io.quarkus.arc.ClientProxy}
     * first, then the interface; its methods delegate to the contextual instance ({@code answer} here).
     */
    public static <T> T arcClientProxy(Class<T> type, InvocationHandler answer) {
        return implementation(type, type.getName() + "_ClientProxy", Visibility.PUBLIC, "io.quarkus.arc.ClientProxy",
                true, answer);
    }

    /**
     * Micronaut's around-advice proxy of a bean class ({@code AopProxyWriter}, Micronaut 1 to 4):
     * {@code $Bean$Definition$Intercepted} in the bean's package, flagged {@code ACC_SYNTHETIC} alone (so not
     * public), extends the bean, implements {@code io.micronaut.aop.Intercepted}; its overrides forward to the bean's
     * methods (through the interceptor chain there).
     */
    public static <T> Class<? extends T> micronautIntercepted(Class<T> bean) {
        return subclass(bean, bean.getPackageName() + ".$" + bean.getSimpleName() + "$Definition$Intercepted",
                Visibility.PACKAGE_PRIVATE, "io.micronaut.aop.Intercepted");
    }

    /**
     * Micronaut's introduction advice over an interface (a declarative HTTP client, a data repository):
     * {@code Type$Intercepted}, flagged {@code ACC_SYNTHETIC} alone, extends Object, implements the interface, then
     * {@code io.micronaut.aop.Introduced}; its methods answer through {@code answer}.
     */
    public static <T> T micronautIntroduction(Class<T> type, InvocationHandler answer) {
        return implementation(type, type.getName() + "$Intercepted", Visibility.PACKAGE_PRIVATE,
                "io.micronaut.aop.Introduced", false, answer);
    }

    /**
     * Mockito's mock of an interface ({@code SubclassBytecodeGenerator}): ByteBuddy's subclass of the interface (so
     * of Object), {@code Type$MockitoMock$<random>}, public, not synthetic, implements the interface, then
     * {@code MockAccess}; its methods answer through {@code answer}.
     */
    public static <T> T mockitoMock(Class<T> type, InvocationHandler answer) {
        DynamicType.Unloaded<?> mockAccess = marker("org.mockito.internal.creation.bytebuddy.access.MockAccess");
        return instance(load(new ByteBuddy().subclass(type).name(type.getName() + "$MockitoMock$" + RandomString.make())
                .implement(mockAccess.getTypeDescription())
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(answer)),
                type, mockAccess), type);
    }

    /**
     * A synthetic, top-level subclass of {@code bean} named {@code name}, implementing its generator's interface
     * {@code own}, whose overrides of the bean's public methods forward to them.
     */
    private static <T> Class<? extends T> subclass(Class<T> bean, String name, Visibility visibility, String own) {
        DynamicType.Unloaded<?> marker = marker(own);
        return load(new ByteBuddy().subclass(bean).name(name).modifiers(visibility, SyntheticState.SYNTHETIC)
                .implement(marker.getTypeDescription())
                .method(ElementMatchers.isDeclaredBy(bean).and(ElementMatchers.isPublic()))
                .intercept(SuperMethodCall.INSTANCE), bean, marker);
    }

    /**
     * An instance of a synthetic, top-level class named {@code name} over Object that implements {@code type} and
     * its generator's interface {@code own} ({@code ownFirst}: in that order), whose methods answer through
     * {@code answer}.
     */
    private static <T> T implementation(Class<T> type, String name, Visibility visibility, String own,
            boolean ownFirst, InvocationHandler answer) {
        DynamicType.Unloaded<?> marker = marker(own);
        TypeDescription stoodFor = TypeDescription.ForLoadedType.of(type);
        return instance(load(new ByteBuddy().subclass(Object.class).name(name)
                .modifiers(visibility, SyntheticState.SYNTHETIC)
                .implement(ownFirst ? marker.getTypeDescription() : stoodFor,
                        ownFirst ? stoodFor : marker.getTypeDescription())
                .method(ElementMatchers.isDeclaredBy(type)).intercept(InvocationHandlerAdapter.of(answer)),
                type, marker), type);
    }

    /** An instance of {@code generated}, made through its no-argument constructor (which may not be public). */
    public static <T> T instance(Class<?> generated, Class<T> type) {
        try {
            java.lang.reflect.Constructor<?> constructor = generated.getDeclaredConstructor();
            constructor.setAccessible(true);
            return type.cast(constructor.newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DynamicType.Unloaded<?> marker(String name) {
        return new ByteBuddy().makeInterface().name(name).make();
    }

    private static <T> Class<? extends T> load(DynamicType.Builder<T> builder, Class<?> near,
            DynamicType.Unloaded<?> marker) {
        return builder.make().include(marker).load(near.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
    }
}
