"""The course's own TFX components (chapter 02 onwards): small steps TFX does not ship."""
