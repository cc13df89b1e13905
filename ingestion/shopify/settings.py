"""Shopify Admin REST API constants."""

API_VERSION = "2024-10"
PAGE_LIMIT = 250  # the Admin API maximum
# Clear-text personal data in orders/customers: hashed (email, phone, ip) as records are extracted.
ORDER_PII = {
    "email": "email",
    "contact_email": "email",
    "phone": "phone",
    "browser_ip": "ip",
    "customer.email": "email",
    "customer.phone": "phone",
    "client_details.browser_ip": "ip",
}
CUSTOMER_PII = {"email": "email", "phone": "phone"}
# Address blocks carry names and street addresses we have no use for; only the country is kept.
ADDRESS_FIELDS = ("billing_address", "shipping_address", "default_address", "addresses")
