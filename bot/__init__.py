"""anninh: the grassroots security movement's chatbot."""

__version__ = "0.1.0"
