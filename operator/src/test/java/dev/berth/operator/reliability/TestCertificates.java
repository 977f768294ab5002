package dev.berth.operator.reliability;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The PEM files of a test's etcd TLS, made in a directory of the test's own: a CA, etcd's server certificate for
 * 127.0.0.1, a client certificate and its key, and the broken variants people get wrong (an expired client
 * certificate, a key of another certificate, the key in SEC1 form, an encrypted key, a CA that signed nothing here).
 */
public final class TestCertificates {
    public final Path dir;
    public final Path ca;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;
    public final Path expiredClientCert;
    public final Path expiredClientKey;
    /** The server's key: does not belong to {@link #clientCert}. */
    public final Path otherKey;
    public final Path clientKeySec1;
    public final Path clientKeyEncrypted;
    /** A CA of its own, which signed neither etcd's certificate nor the client's. */
    public final Path foreignCa;

    private final SecureRandom random = new SecureRandom();

    public TestCertificates(Path dir) throws IOException, GeneralSecurityException {
        this.dir = dir;
        try {
            KeyPair caKeys = keys();
            X500Name caName = new X500Name("CN=berth-test-ca");
            Instant now = Instant.now();
            X509Certificate caCert = sign(new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), caKeys);
            ca = write("ca.pem", caCert);

            KeyPair server = keys();
            serverCert = write("server.pem", leaf(caName, caKeys, "etcd", server, now, KeyPurposeId.id_kp_serverAuth, true));
            serverKey = writePkcs8("server-key.pem", server);
            otherKey = serverKey;

            KeyPair client = keys();
            clientCert = write("client.pem", leaf(caName, caKeys, "berth-client", client, now, KeyPurposeId.id_kp_clientAuth, false));
            clientKey = writePkcs8("client-key.pem", client);
            clientKeySec1 = write("client-key-sec1.pem", client.getPrivate());
            clientKeyEncrypted = writeEncrypted("client-key-encrypted.pem", client);

            KeyPair expired = keys();
            expiredClientCert = write("expired.pem", leaf(caName, caKeys, "berth-client", expired,
                    now.minus(Duration.ofDays(3)), KeyPurposeId.id_kp_clientAuth, false));
            expiredClientKey = writePkcs8("expired-key.pem", expired);

            KeyPair foreignKeys = keys();
            X500Name foreignName = new X500Name("CN=foreign-ca");
            foreignCa = write("foreign-ca.pem", sign(new JcaX509v3CertificateBuilder(foreignName, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), foreignName,
                    foreignKeys.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                    foreignKeys));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Valid for two days from {@code from} minus an hour: from three days ago, it expired yesterday. */
    private X509Certificate leaf(X500Name caName, KeyPair caKeys, String cn, KeyPair keys, Instant from, KeyPurposeId purpose,
                                 boolean loopbackName) throws IOException, GeneralSecurityException,
            org.bouncycastle.operator.OperatorCreationException {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName, serial(),
                Date.from(from.minus(Duration.ofHours(1))), Date.from(from.plus(Duration.ofDays(2))), new X500Name("CN=" + cn),
                keys.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        if (loopbackName) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        return sign(builder, caKeys);
    }

    private X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException,
            org.bouncycastle.operator.OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private BigInteger serial() {
        return new BigInteger(63, random);
    }

    private Path write(String name, Object pemObject) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(new JcaMiscPEMGenerator(pemObject));
        }
        return writeText(name, text.toString());
    }

    private Path writePkcs8(String name, KeyPair keys) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
        return writeText(name, text.toString());
    }

    private Path writeEncrypted(String name, KeyPair keys) throws IOException {
        try {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
                pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(),
                        new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                                .setPassword("x".toCharArray()).setRandom(random).build()));
            }
            return writeText(name, text.toString());
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException(e);
        }
    }

    private Path writeText(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
