"""Stadtallianz: the open-source platform that runs a smart-city alliance."""
