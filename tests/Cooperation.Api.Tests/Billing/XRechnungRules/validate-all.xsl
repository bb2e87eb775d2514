<?xml version="1.0" encoding="UTF-8"?>
<!--
  Ours, not part of the official rule sets: runs every stylesheet in $stylesheets over every document in
  $files inside one Saxon process (fn:transform compiles each stylesheet once and caches it), writing
  the SVRL report of document i and stylesheet n to $out/i.n.svrl.xml. Lists are separated by '|'.
  Call: java -cp Saxon-HE.jar net.sf.saxon.Transform -it -xsl:validate-all.xsl files=… stylesheets=… out=…
-->
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xsl:param name="files" as="xs:string"/>
  <xsl:param name="stylesheets" as="xs:string"/>
  <xsl:param name="out" as="xs:string"/>
  <xsl:template name="xsl:initial-template">
    <xsl:for-each select="tokenize($stylesheets, '\|')">
      <xsl:variable name="stylesheet" select="."/>
      <xsl:variable name="n" select="position()"/>
      <xsl:for-each select="tokenize($files, '\|')">
        <xsl:result-document href="{$out}/{position()}.{$n}.svrl.xml">
          <xsl:sequence select="transform(map { 'stylesheet-location': $stylesheet, 'source-node': doc(.) })?output"/>
        </xsl:result-document>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
