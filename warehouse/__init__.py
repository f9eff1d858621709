"""The warehouse: raw pages as fetched, articles, pledges, mentions, alerts, analyst views."""
