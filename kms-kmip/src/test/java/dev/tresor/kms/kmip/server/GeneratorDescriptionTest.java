package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The conformance runner takes the Random Number Generator attribute's value from the server
 * (it describes the server's own generator) but still fails a response that lacks the attribute
 * or holds a malformed RNG Parameters structure, and compares everything around it exactly.
 */
class GeneratorDescriptionTest {
    /** What AKLC-M-1-21 expects: the recording server's ANSI X9.31 generator, then the Key Format Type. */
    private static final String EXPECTED_21 = """
            <Attributes>
              <RandomNumberGenerator>
                <RNGAlgorithm type="Enumeration" value="ANSIX9_31"/>
                <CryptographicAlgorithm type="Enumeration" value="AES"/>
                <CryptographicLength type="Integer" value="256"/>
              </RandomNumberGenerator>
              <KeyFormatType type="Enumeration" value="PKCS_1"/>
            </Attributes>""";
    private static final String TRESOR = """
            <RNGAlgorithm type="Enumeration" value="DRBG"/>
            <CryptographicLength type="Integer" value="256"/>
            <HashingAlgorithm type="Enumeration" value="SHA_256"/>
            <DRBGAlgorithm type="Enumeration" value="Hash"/>
            <PredictionResistance type="Boolean" value="false"/>""";

    @Test
    void anotherWellFormedGeneratorPasses() throws Exception {
        assertEquals(Optional.empty(), difference(EXPECTED_21, attributes21(TRESOR)));
    }

    @Test
    void aCtrDrbgOverAesPasses() throws Exception {
        assertEquals(Optional.empty(), difference(EXPECTED_21, attributes21("""
                <RNGAlgorithm type="Enumeration" value="DRBG"/>
                <CryptographicAlgorithm type="Enumeration" value="AES"/>
                <CryptographicLength type="Integer" value="256"/>
                <DRBGAlgorithm type="Enumeration" value="CTR"/>""")));
    }

    @Test
    void aMissingAttributeFails() throws Exception {
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: expected RandomNumberGenerator, got KeyFormatType"),
                difference(EXPECTED_21, """
                        <Attributes>
                          <KeyFormatType type="Enumeration" value="PKCS_1"/>
                        </Attributes>"""));
    }

    @Test
    void malformedParametersFail() throws Exception {
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: RNG Parameters without RNG Algorithm"),
                difference(EXPECTED_21, attributes21("""
                        <CryptographicLength type="Integer" value="256"/>""")));
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: a DRBG without DRBG Algorithm"),
                difference(EXPECTED_21, attributes21("""
                        <RNGAlgorithm type="Enumeration" value="DRBG"/>
                        <HashingAlgorithm type="Enumeration" value="SHA_256"/>""")));
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: a Hash DRBG without HashingAlgorithm"),
                difference(EXPECTED_21, attributes21("""
                        <RNGAlgorithm type="Enumeration" value="DRBG"/>
                        <DRBGAlgorithm type="Enumeration" value="Hash"/>""")));
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: RNG Parameters field RNGAlgorithm repeated or out of order"),
                difference(EXPECTED_21, attributes21("""
                        <HashingAlgorithm type="Enumeration" value="SHA_256"/>
                        <RNGAlgorithm type="Enumeration" value="DRBG"/>""")));
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: RNG Parameters holds no KeyFormatType"),
                difference(EXPECTED_21, attributes21("""
                        <RNGAlgorithm type="Enumeration" value="Unspecified"/>
                        <KeyFormatType type="Enumeration" value="Raw"/>""")));
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: RNG Parameters field RNGAlgorithm holds no "
                + "defined value: 0x00000063"), difference(EXPECTED_21, attributes21("""
                        <RNGAlgorithm type="Enumeration" value="0x00000063"/>""")));
        assertEquals(Optional.of("m/Attributes/RandomNumberGenerator: RNG Parameters field CryptographicLength is a "
                + "Enumeration, not Integer"), difference(EXPECTED_21, attributes21("""
                        <RNGAlgorithm type="Enumeration" value="DRBG"/>
                        <CryptographicLength type="Enumeration" value="0x00000100"/>""")));
    }

    @Test
    void whatFollowsTheAttributeIsStillComparedExactly() throws Exception {
        assertEquals(Optional.of("m/Attributes/KeyFormatType: expected 'PKCS_1', got 'X_509'"),
                difference(EXPECTED_21, """
                        <Attributes>
                          <RandomNumberGenerator>%s</RandomNumberGenerator>
                          <KeyFormatType type="Enumeration" value="X_509"/>
                        </Attributes>""".formatted(TRESOR)));
    }

    @Test
    void theOneXFormIsCheckedAlike() throws Exception {
        String expected = """
                <ResponsePayload>
                  <Attribute>
                    <AttributeName type="TextString" value="Random Number Generator"/>
                    <AttributeValue>
                      <RNGAlgorithm type="Enumeration" value="ANSIX9_31"/>
                    </AttributeValue>
                  </Attribute>
                </ResponsePayload>""";
        String actual = """
                <ResponsePayload>
                  <Attribute>
                    <AttributeName type="TextString" value="Random Number Generator"/>
                    <AttributeValue>%s</AttributeValue>
                  </Attribute>
                </ResponsePayload>""";
        assertEquals(Optional.empty(), difference(expected, actual.formatted(TRESOR)));
        assertEquals(Optional.of("m/ResponsePayload/Attribute/AttributeValue: a DRBG without DRBG Algorithm"),
                difference(expected, actual.formatted("<RNGAlgorithm type=\"Enumeration\" value=\"DRBG\"/>")));
        assertEquals(Optional.of("m/ResponsePayload: missing Attribute"), difference(expected, "<ResponsePayload/>"));
    }

    private static String attributes21(String parameters) {
        return """
                <Attributes>
                  <RandomNumberGenerator>%s</RandomNumberGenerator>
                  <KeyFormatType type="Enumeration" value="PKCS_1"/>
                </Attributes>""".formatted(parameters);
    }

    /** The runner's verdict on {@code actual} (canonicalised as the server's answers are) against {@code expected}. */
    private static Optional<String> difference(String expected, String actual) throws Exception {
        Element server = TtlvXml.write(DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument(),
                TtlvXml.read(element(actual), (type, placeholder) -> placeholder));
        return OasisConformanceTest.compare(element(expected), server, new HashMap<>(), "m");
    }

    private static Element element(String xml) throws Exception {
        return TtlvXml.parseDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }
}
